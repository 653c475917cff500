// C at the edge for what is neither image nor metadata work: POSIX and Linux calls, and GLib's hashing.
#ifndef PHOTOPIPE_CSYSTEM_H
#define PHOTOPIPE_CSYSTEM_H
#include "cposix.h"
#include "ccrypto.h"
#endif
