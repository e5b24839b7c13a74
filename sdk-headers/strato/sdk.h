// Everything a plugin usually needs, in one include.
#pragma once

#include "strato/api.h"
#include "strato/bus.h"
#include "strato/config.h"
#include "strato/database.h"
#include "strato/extension.h"
#include "strato/flow.h"
#include "strato/json.h"
#include "strato/logger.h"
#include "strato/plugin.h"
#include "strato/registrar.h"
#include "strato/result.h"
#include "strato/version.h"
