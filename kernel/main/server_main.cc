// strato-server: the management node.
#include "node/node.h"

int main(int argc, char** argv) {
  return strato::kernel::runNode(strato::kernel::NodeRole::kServer, argc, argv);
}
