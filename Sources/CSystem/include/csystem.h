// C at the edge for what is neither image nor metadata work: POSIX and Linux calls, GLib's hashing and libxcrypt's password hashes.
#ifndef PHOTOPIPE_CSYSTEM_H
#define PHOTOPIPE_CSYSTEM_H
#include "cposix.h"
#include "cguard.h"
#include "ccrypto.h"
#include "cpassword.h"
#endif
