// U²-Netp matting through ONNX Runtime's C API, with the library loaded by dlopen.
//
// ONNX Runtime exports one C symbol, OrtGetApiBase(), returning {GetApi(version), GetVersionString()}.
// GetApi returns the OrtApi: a struct made only of function pointers, whose order is fixed and
// append-only (a slot, once released, never moves; new functions are added at the end, and
// GetApi(v) serves every v from 1 up to the library's own ORT_API_VERSION from the same table).
// So the functions are reached here by slot number, with declarations of our own, and no
// ONNX Runtime header is needed.
//
// The slot numbers are zero-based positions of the members of `struct OrtApi` as declared in
// include/onnxruntime/core/session/onnxruntime_c_api.h of microsoft/onnxruntime, counted in the
// version of that header whose ORT_API_VERSION is 13 (ONNX Runtime 1.13). Every slot used is in
// that version, so the table is requested as version 13; any later library (1.13 and on) serves it.
// The enum values below come from the same header. pp_matte_open checks the table before use
// (CreateStatus/GetErrorCode/GetErrorMessage/ReleaseStatus must round-trip a status).
#define _POSIX_C_SOURCE 200809L
#include "cmatte.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ORT_C_API_VERSION 13u

enum ort_slot {
    SLOT_CREATE_STATUS = 0,
    SLOT_GET_ERROR_CODE = 1,
    SLOT_GET_ERROR_MESSAGE = 2,
    SLOT_CREATE_ENV = 3,
    SLOT_CREATE_SESSION = 7,
    SLOT_RUN = 9,
    SLOT_CREATE_SESSION_OPTIONS = 10,
    SLOT_DISABLE_MEM_PATTERN = 17,
    SLOT_SET_SESSION_GRAPH_OPTIMIZATION_LEVEL = 23,
    SLOT_SET_INTRA_OP_NUM_THREADS = 24,
    SLOT_SET_INTER_OP_NUM_THREADS = 25,
    SLOT_SESSION_GET_INPUT_COUNT = 30,
    SLOT_SESSION_GET_OUTPUT_COUNT = 31,
    SLOT_SESSION_GET_INPUT_TYPE_INFO = 33,
    SLOT_SESSION_GET_INPUT_NAME = 36,
    SLOT_SESSION_GET_OUTPUT_NAME = 37,
    SLOT_CREATE_TENSOR_WITH_DATA_AS_ORT_VALUE = 49,
    SLOT_GET_TENSOR_MUTABLE_DATA = 51,
    SLOT_CAST_TYPE_INFO_TO_TENSOR_INFO = 55,
    SLOT_GET_TENSOR_ELEMENT_TYPE = 60,
    SLOT_GET_DIMENSIONS_COUNT = 61,
    SLOT_GET_DIMENSIONS = 62,
    SLOT_GET_TENSOR_SHAPE_ELEMENT_COUNT = 64,
    SLOT_GET_TENSOR_TYPE_AND_SHAPE = 65,
    SLOT_CREATE_CPU_MEMORY_INFO = 69,
    SLOT_ALLOCATOR_FREE = 76,
    SLOT_GET_ALLOCATOR_WITH_DEFAULT_OPTIONS = 78,
    SLOT_RELEASE_ENV = 92,
    SLOT_RELEASE_STATUS = 93,
    SLOT_RELEASE_MEMORY_INFO = 94,
    SLOT_RELEASE_SESSION = 95,
    SLOT_RELEASE_VALUE = 96,
    SLOT_RELEASE_TYPE_INFO = 98,
    SLOT_RELEASE_TENSOR_TYPE_AND_SHAPE_INFO = 99,
    SLOT_RELEASE_SESSION_OPTIONS = 100,
    SLOT_ADD_SESSION_CONFIG_ENTRY = 130,
};

// Enum values (passed as int: each of these C enums is int-sized).
enum {
    LOG_LEVEL_WARNING = 2,       // OrtLoggingLevel: VERBOSE, INFO, WARNING, ERROR, FATAL
    ERROR_INVALID_ARGUMENT = 2,  // OrtErrorCode: OK, FAIL, INVALID_ARGUMENT, ...
    GRAPH_OPTIMIZE_ALL = 99,     // GraphOptimizationLevel: DISABLE_ALL 0, BASIC 1, EXTENDED 2, ALL 99
    ALLOCATOR_ARENA = 1,         // OrtAllocatorType: Invalid -1, Device 0, Arena 1
    MEM_TYPE_DEFAULT = 0,        // OrtMemType: CPUInput -2, CPUOutput -1, Default 0
    ELEMENT_FLOAT = 1,           // ONNXTensorElementDataType: UNDEFINED 0, FLOAT 1, ...
};

// Opaque handles.
typedef struct ort_status ort_status;
typedef struct ort_env ort_env;
typedef struct ort_session_options ort_session_options;
typedef struct ort_session ort_session;
typedef struct ort_memory_info ort_memory_info;
typedef struct ort_value ort_value;
typedef struct ort_type_info ort_type_info;
typedef struct ort_tensor_info ort_tensor_info;
typedef struct ort_allocator ort_allocator;

// A slot holds a function pointer; it is read as this generic type and converted to the real
// one below before the call (C allows converting between function-pointer types).
typedef void (*ort_fn)(void);

typedef ort_status *(*create_status_fn)(int code, const char *msg);
typedef int (*get_error_code_fn)(const ort_status *status);
typedef const char *(*get_error_message_fn)(const ort_status *status);
typedef ort_status *(*create_env_fn)(int log_level, const char *log_id, ort_env **out);
typedef ort_status *(*create_session_fn)(const ort_env *env, const char *model_path,
                                         const ort_session_options *options, ort_session **out);
typedef ort_status *(*run_fn)(ort_session *session, const void *run_options,
                              const char *const *input_names, const ort_value *const *inputs, size_t input_count,
                              const char *const *output_names, size_t output_count, ort_value **outputs);
typedef ort_status *(*create_session_options_fn)(ort_session_options **out);
typedef ort_status *(*options_fn)(ort_session_options *options);
typedef ort_status *(*options_int_fn)(ort_session_options *options, int value);
typedef ort_status *(*options_entry_fn)(ort_session_options *options, const char *key, const char *value);
typedef ort_status *(*session_count_fn)(const ort_session *session, size_t *out);
typedef ort_status *(*session_type_info_fn)(const ort_session *session, size_t index, ort_type_info **out);
typedef ort_status *(*session_name_fn)(const ort_session *session, size_t index, ort_allocator *allocator, char **out);
typedef ort_status *(*create_tensor_with_data_fn)(const ort_memory_info *info, void *data, size_t data_bytes,
                                                  const int64_t *shape, size_t shape_len, int element_type,
                                                  ort_value **out);
typedef ort_status *(*get_tensor_mutable_data_fn)(ort_value *value, void **out);
typedef ort_status *(*cast_type_info_fn)(const ort_type_info *type_info, const ort_tensor_info **out);
typedef ort_status *(*get_element_type_fn)(const ort_tensor_info *info, int *out);
typedef ort_status *(*get_size_fn)(const ort_tensor_info *info, size_t *out);
typedef ort_status *(*get_dimensions_fn)(const ort_tensor_info *info, int64_t *dims, size_t count);
typedef ort_status *(*get_type_and_shape_fn)(const ort_value *value, ort_tensor_info **out);
typedef ort_status *(*create_cpu_memory_info_fn)(int allocator_type, int mem_type, ort_memory_info **out);
typedef ort_status *(*allocator_free_fn)(ort_allocator *allocator, void *p);
typedef ort_status *(*get_default_allocator_fn)(ort_allocator **out);
// Every Release* function takes one object pointer; one type serves them all (same ABI).
typedef void (*release_fn)(void *object);

struct ort_api_base {
    const void *(*get_api)(uint32_t version);
    const char *(*get_version_string)(void);
};
typedef const struct ort_api_base *(*get_api_base_fn)(void);

struct pp_matte_net {
    void *library;             // dlopen handle
    const ort_fn *api;         // the OrtApi table, as slots
    ort_env *env;
    ort_session *session;
    ort_memory_info *cpu_memory;
    char *input_name;
    char *output_name;
    int side;                  // 0: dynamic
};

#define API(net, slot, type) ((type)(net)->api[slot])

__attribute__((format(printf, 3, 4)))
static void set_error(char *err, size_t errlen, const char *fmt, ...) {
    if (err == NULL || errlen == 0) return;
    va_list args;
    va_start(args, fmt);
    vsnprintf(err, errlen, fmt, args);
    va_end(args);
    for (char *c = err; *c; c++) {  // one line
        if (*c == '\n' || *c == '\r' || *c == '\t') *c = ' ';
    }
}

// Fills err from a failed call's status and releases the status. Returns -1.
static int status_error(const pp_matte_net *net, ort_status *status, char *err, size_t errlen, const char *what) {
    const char *message = API(net, SLOT_GET_ERROR_MESSAGE, get_error_message_fn)(status);
    set_error(err, errlen, "%s: %s", what, message ? message : "(no message)");
    API(net, SLOT_RELEASE_STATUS, release_fn)(status);
    return -1;
}

#define CHECK(net, call, what)                                              \
    do {                                                                    \
        ort_status *status_ = (call);                                       \
        if (status_ != NULL) return status_error(net, status_, err, errlen, what); \
    } while (0)

static void release(const pp_matte_net *net, int slot, void *object) {
    if (object != NULL) API(net, slot, release_fn)(object);
}

// Copies a name that ONNX Runtime allocated with its default allocator, then frees it there.
static char *take_name(const pp_matte_net *net, ort_allocator *allocator, char *name) {
    char *copy = strdup(name);
    ort_status *status = API(net, SLOT_ALLOCATOR_FREE, allocator_free_fn)(allocator, name);
    if (status != NULL) API(net, SLOT_RELEASE_STATUS, release_fn)(status);
    return copy;
}

// Reads the model's single input (float, 1x3xSxS) and names its input and first output.
static int describe_model(pp_matte_net *net, char *err, size_t errlen) {
    size_t inputs = 0, outputs = 0;
    CHECK(net, API(net, SLOT_SESSION_GET_INPUT_COUNT, session_count_fn)(net->session, &inputs), "model inputs");
    CHECK(net, API(net, SLOT_SESSION_GET_OUTPUT_COUNT, session_count_fn)(net->session, &outputs), "model outputs");
    if (inputs != 1 || outputs < 1) {
        set_error(err, errlen, "model has %zu inputs and %zu outputs (expected 1 input, at least 1 output)", inputs, outputs);
        return -1;
    }

    ort_allocator *allocator = NULL;
    char *name = NULL;
    CHECK(net, API(net, SLOT_GET_ALLOCATOR_WITH_DEFAULT_OPTIONS, get_default_allocator_fn)(&allocator), "allocator");
    CHECK(net, API(net, SLOT_SESSION_GET_INPUT_NAME, session_name_fn)(net->session, 0, allocator, &name), "input name");
    net->input_name = take_name(net, allocator, name);
    name = NULL;
    CHECK(net, API(net, SLOT_SESSION_GET_OUTPUT_NAME, session_name_fn)(net->session, 0, allocator, &name), "output name");
    net->output_name = take_name(net, allocator, name);
    if (net->input_name == NULL || net->output_name == NULL) {
        set_error(err, errlen, "out of memory");
        return -1;
    }

    ort_type_info *type_info = NULL;
    CHECK(net, API(net, SLOT_SESSION_GET_INPUT_TYPE_INFO, session_type_info_fn)(net->session, 0, &type_info), "input type");
    const ort_tensor_info *tensor = NULL;
    int element = 0;
    size_t rank = 0;
    int64_t dims[4] = {0, 0, 0, 0};
    ort_status *status = API(net, SLOT_CAST_TYPE_INFO_TO_TENSOR_INFO, cast_type_info_fn)(type_info, &tensor);
    if (status == NULL && tensor == NULL) {
        release(net, SLOT_RELEASE_TYPE_INFO, type_info);
        set_error(err, errlen, "model input is not a tensor");
        return -1;
    }
    if (status == NULL) status = API(net, SLOT_GET_TENSOR_ELEMENT_TYPE, get_element_type_fn)(tensor, &element);
    if (status == NULL) status = API(net, SLOT_GET_DIMENSIONS_COUNT, get_size_fn)(tensor, &rank);
    if (status == NULL && rank == 4) status = API(net, SLOT_GET_DIMENSIONS, get_dimensions_fn)(tensor, dims, 4);
    release(net, SLOT_RELEASE_TYPE_INFO, type_info);  // owns tensor
    if (status != NULL) return status_error(net, status, err, errlen, "input shape");
    if (element != ELEMENT_FLOAT || rank != 4 || (dims[1] > 0 && dims[1] != 3)) {
        set_error(err, errlen, "model input '%s' is not a float 1x3xSxS tensor (element type %d, rank %zu)",
                  net->input_name, element, rank);
        return -1;
    }
    if (dims[2] > 0 && dims[3] > 0 && (dims[2] != dims[3] || dims[2] > 65535)) {
        set_error(err, errlen, "model input '%s' is %lldx%lld, not a square of at most 65535",
                  net->input_name, (long long)dims[2], (long long)dims[3]);
        return -1;
    }
    net->side = (dims[2] > 0 && dims[2] == dims[3]) ? (int)dims[2] : 0;
    return 0;
}

pp_matte_net *pp_matte_open(const char *runtime_path, const char *model_path, int threads, char *err, size_t errlen) {
    if (runtime_path == NULL || model_path == NULL || threads < 1) {
        set_error(err, errlen, "pp_matte_open: need a runtime path, a model path and threads >= 1");
        return NULL;
    }
    pp_matte_net *net = calloc(1, sizeof *net);
    if (net == NULL) {
        set_error(err, errlen, "out of memory");
        return NULL;
    }

    net->library = dlopen(runtime_path, RTLD_NOW | RTLD_LOCAL);
    if (net->library == NULL) {
        const char *reason = dlerror();
        size_t path_length = strlen(runtime_path);
        if (reason == NULL) reason = "dlopen failed";
        else if (strncmp(reason, runtime_path, path_length) == 0 && strncmp(reason + path_length, ": ", 2) == 0)
            reason += path_length + 2;  // dlerror repeats the path
        set_error(err, errlen, "cannot load ONNX Runtime from %s: %s", runtime_path, reason);
        free(net);
        return NULL;
    }
    void *symbol = dlsym(net->library, "OrtGetApiBase");
    if (symbol == NULL) {
        set_error(err, errlen, "%s is not ONNX Runtime (no OrtGetApiBase)", runtime_path);
        pp_matte_close(net);
        return NULL;
    }
    get_api_base_fn get_api_base;
    memcpy(&get_api_base, &symbol, sizeof get_api_base);  // POSIX: dlsym's object pointer holds a function
    const struct ort_api_base *base = get_api_base();
    net->api = base ? (const ort_fn *)base->get_api(ORT_C_API_VERSION) : NULL;
    if (net->api == NULL) {
        set_error(err, errlen, "ONNX Runtime %s at %s does not serve C API version %u",
                  base && base->get_version_string ? base->get_version_string() : "?", runtime_path, ORT_C_API_VERSION);
        pp_matte_close(net);
        return NULL;
    }

    // Check the slot numbering on functions that have no side effects.
    ort_status *probe = API(net, SLOT_CREATE_STATUS, create_status_fn)(ERROR_INVALID_ARGUMENT, "pp-probe");
    int probe_ok = probe != NULL
        && API(net, SLOT_GET_ERROR_CODE, get_error_code_fn)(probe) == ERROR_INVALID_ARGUMENT
        && strcmp(API(net, SLOT_GET_ERROR_MESSAGE, get_error_message_fn)(probe), "pp-probe") == 0;
    if (probe != NULL) API(net, SLOT_RELEASE_STATUS, release_fn)(probe);
    if (!probe_ok) {
        set_error(err, errlen, "ONNX Runtime at %s: C API table does not match the expected layout", runtime_path);
        pp_matte_close(net);
        return NULL;
    }

    struct stat st;
    const char *problem = NULL;
    if (stat(model_path, &st) != 0) problem = strerror(errno);
    else if (!S_ISREG(st.st_mode)) problem = "not a regular file";
    if (problem != NULL) {
        set_error(err, errlen, "cannot load model %s: %s", model_path, problem);
        pp_matte_close(net);
        return NULL;
    }

    ort_status *status = API(net, SLOT_CREATE_ENV, create_env_fn)(LOG_LEVEL_WARNING, "photopipe-matte", &net->env);
    if (status != NULL) {
        status_error(net, status, err, errlen, "ONNX Runtime environment");
        pp_matte_close(net);
        return NULL;
    }

    ort_session_options *options = NULL;
    status = API(net, SLOT_CREATE_SESSION_OPTIONS, create_session_options_fn)(&options);
    if (status == NULL)
        status = API(net, SLOT_SET_INTRA_OP_NUM_THREADS, options_int_fn)(options, threads);
    if (status == NULL)
        status = API(net, SLOT_SET_INTER_OP_NUM_THREADS, options_int_fn)(options, 1);
    if (status == NULL)
        status = API(net, SLOT_SET_SESSION_GRAPH_OPTIMIZATION_LEVEL, options_int_fn)(options, GRAPH_OPTIMIZE_ALL);
    // No memory pattern: with it, each run takes one planned block for all intermediates and the
    // arena keeps about 510 MB resident (590 MB of address space) for U2-Netp at 320x320; without
    // it the arena reuses freed chunks, peaks near 320 MB and runs a little faster. (Disabling the
    // arena instead holds ~70 MB between runs but costs ~64k page faults, ~25% more CPU, a run.)
    // Under RLIMIT_AS the arena grows only as far as it can: a run works down to ~500 MB.
    if (status == NULL)
        status = API(net, SLOT_DISABLE_MEM_PATTERN, options_fn)(options);
    // Pool threads sleep between runs instead of spinning: the worker shares its cores with libvips.
    if (status == NULL)
        status = API(net, SLOT_ADD_SESSION_CONFIG_ENTRY, options_entry_fn)(options, "session.intra_op.allow_spinning", "0");
    if (status != NULL) {
        status_error(net, status, err, errlen, "session options");
        release(net, SLOT_RELEASE_SESSION_OPTIONS, options);
        pp_matte_close(net);
        return NULL;
    }
    status = API(net, SLOT_CREATE_SESSION, create_session_fn)(net->env, model_path, options, &net->session);
    release(net, SLOT_RELEASE_SESSION_OPTIONS, options);  // the session keeps its own copy
    if (status != NULL) {
        char what[512];
        snprintf(what, sizeof what, "cannot load model %s", model_path);
        status_error(net, status, err, errlen, what);
        pp_matte_close(net);
        return NULL;
    }

    if (describe_model(net, err, errlen) != 0) {
        pp_matte_close(net);
        return NULL;
    }
    status = API(net, SLOT_CREATE_CPU_MEMORY_INFO, create_cpu_memory_info_fn)(ALLOCATOR_ARENA, MEM_TYPE_DEFAULT, &net->cpu_memory);
    if (status != NULL) {
        status_error(net, status, err, errlen, "memory info");
        pp_matte_close(net);
        return NULL;
    }
    return net;
}

int pp_matte_side(const pp_matte_net *net) {
    return net ? net->side : 0;
}

static int check_output(pp_matte_net *net, ort_value *value, size_t want, char *err, size_t errlen) {
    ort_tensor_info *info = NULL;
    int element = 0;
    size_t count = 0;
    CHECK(net, API(net, SLOT_GET_TENSOR_TYPE_AND_SHAPE, get_type_and_shape_fn)(value, &info), "output shape");
    ort_status *status = API(net, SLOT_GET_TENSOR_ELEMENT_TYPE, get_element_type_fn)(info, &element);
    if (status == NULL) status = API(net, SLOT_GET_TENSOR_SHAPE_ELEMENT_COUNT, get_size_fn)(info, &count);
    release(net, SLOT_RELEASE_TENSOR_TYPE_AND_SHAPE_INFO, info);
    if (status != NULL) return status_error(net, status, err, errlen, "output shape");
    if (element != ELEMENT_FLOAT || count != want) {
        set_error(err, errlen, "model output '%s' has %zu elements of type %d (expected %zu floats)",
                  net->output_name, count, element, want);
        return -1;
    }
    return 0;
}

int pp_matte_run(pp_matte_net *net, const float *input, int side, float *output, char *err, size_t errlen) {
    if (net == NULL || input == NULL || output == NULL) {
        set_error(err, errlen, "pp_matte_run: missing net, input or output");
        return -1;
    }
    if (net->side != 0 ? side != net->side : (side < 1 || side > 8192)) {
        if (net->side != 0) set_error(err, errlen, "input side %d: the model expects %d", side, net->side);
        else set_error(err, errlen, "input side %d: out of range 1...8192", side);
        return -1;
    }
    size_t plane = (size_t)side * (size_t)side;
    int64_t shape[4] = {1, 3, side, side};
    ort_value *in = NULL, *out = NULL;
    // ONNX Runtime does not write to input tensors; its API just takes a non-const pointer.
    CHECK(net, API(net, SLOT_CREATE_TENSOR_WITH_DATA_AS_ORT_VALUE, create_tensor_with_data_fn)(
                   net->cpu_memory, (void *)input, 3 * plane * sizeof(float), shape, 4, ELEMENT_FLOAT, &in),
          "input tensor");
    const char *input_names[1] = {net->input_name};
    const char *output_names[1] = {net->output_name};
    const ort_value *inputs[1] = {in};
    ort_status *status = API(net, SLOT_RUN, run_fn)(net->session, NULL, input_names, inputs, 1, output_names, 1, &out);
    release(net, SLOT_RELEASE_VALUE, in);
    if (status != NULL) return status_error(net, status, err, errlen, "matte run");

    int result = check_output(net, out, plane, err, errlen);
    if (result == 0) {
        void *data = NULL;
        status = API(net, SLOT_GET_TENSOR_MUTABLE_DATA, get_tensor_mutable_data_fn)(out, &data);
        if (status != NULL) result = status_error(net, status, err, errlen, "output data");
        else memcpy(output, data, plane * sizeof(float));
    }
    release(net, SLOT_RELEASE_VALUE, out);
    return result;
}

void pp_matte_close(pp_matte_net *net) {
    if (net == NULL) return;
    if (net->api != NULL) {
        release(net, SLOT_RELEASE_MEMORY_INFO, net->cpu_memory);
        release(net, SLOT_RELEASE_SESSION, net->session);
        release(net, SLOT_RELEASE_ENV, net->env);
    }
    free(net->input_name);
    free(net->output_name);
    if (net->library != NULL) dlclose(net->library);
    free(net);
}
