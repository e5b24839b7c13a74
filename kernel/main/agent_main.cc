// strato-agent: the host agent, the same kernel with the agent's plugin set, on port 7070.
#include "node/node.h"

int main(int argc, char** argv) {
  return strato::kernel::runNode(strato::kernel::NodeRole::kAgent, argc, argv);
}
