// libnuma (Debian: libnuma-dev), for mcexec: numactl's node strings and the NUMA node
// of a CPU.
#include <numa.h>
