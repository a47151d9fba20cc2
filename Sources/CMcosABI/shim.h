#ifndef MCPROV_CMCOSABI_SHIM_H
#define MCPROV_CMCOSABI_SHIM_H

#include <errno.h>
#include <sys/ioctl.h>
#include "../../kmod/mcos_abi.h"

/* ioctl(2) with a pointer argument; returns the result, or -errno. */
static inline long mcos_ioctl(int fd, unsigned long request, void *argument)
{
	long result = ioctl(fd, request, argument);
	return result < 0 ? -(long)errno : result;
}

#endif
