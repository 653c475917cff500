// Salient-object matting: runs the U²-Netp network (ONNX) through ONNX Runtime's C API.
// ONNX Runtime is not linked: pp_matte_open loads libonnxruntime.so with dlopen from a path given
// at run time (scripts/fetch-matte-model.sh installs it and the model). No ONNX Runtime header is
// needed to build this target. Not thread-safe: one net is used by one thread at a time.
#ifndef PHOTOPIPE_CMATTE_H
#define PHOTOPIPE_CMATTE_H

#include <stddef.h>

typedef struct pp_matte_net pp_matte_net;

/* Loads ONNX Runtime from runtime_path (dlopen, RTLD_NOW|RTLD_LOCAL) and the model. threads: intra-op threads (>=1).
   Returns NULL and writes a one-line reason into err (errlen bytes) on any failure (missing file, wrong library, bad model). */
pp_matte_net *pp_matte_open(const char *runtime_path, const char *model_path, int threads, char *err, size_t errlen);

/* input: planar float 1x3xSxS, already normalised; output: SxS floats, the model's first output. Returns 0 on success, -1 with err filled. */
int pp_matte_run(pp_matte_net *net, const float *input, int side, float *output, char *err, size_t errlen);

/* The side the model expects (320 for U2-Netp) read from its input shape, or 0 if dynamic. */
int pp_matte_side(const pp_matte_net *net);

void pp_matte_close(pp_matte_net *net);

#endif
