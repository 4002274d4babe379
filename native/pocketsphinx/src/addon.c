/*
 * A minimal N-API binding for the system PocketSphinx (0.8+5prealpha API).
 *
 * Plain node_api.h (not nan, not node-addon-api) so the same binary loads in Node and in
 * Electron without a rebuild. The module is context-aware (NAPI_MODULE_INIT), so it can be
 * loaded in several worker threads at once; every decoder is owned by exactly one thread.
 *
 *   const d = new Decoder({ hmm, dict, lm, options: { '-vad_postspeech': 40 } });
 *   d.startUtt(); d.processRaw(int16At16kHz); d.inSpeech(); d.hypothesis();
 *   d.endUtt() -> { text, score, confidence } | null; d.free();
 *
 * Misuse (wrong argument types, use after free, unknown options) throws a JS error;
 * nothing here aborts the process.
 */
#include <node_api.h>
#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#include <sphinxbase/cmd_ln.h>
#include <sphinxbase/logmath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OPTIONS 64
#define MAX_ARG_LEN 4096

typedef struct {
  ps_decoder_t *ps;
  int in_utt;
  int bestpath;
  /* cmd_ln may keep pointers into its argv, so the strings live as long as the decoder. */
  char **args;
  int nargs;
} decoder_t;

static void free_args(char **args, int nargs) {
  if (!args) return;
  for (int i = 0; i < nargs; i++) free(args[i]);
  free(args);
}

/* Returns NULL from the calling function after throwing, when a N-API call fails. */
#define CHECK(env, call)                                                        \
  do {                                                                          \
    if ((call) != napi_ok) {                                                    \
      const napi_extended_error_info *info_ = NULL;                             \
      napi_get_last_error_info((env), &info_);                                  \
      bool pending_ = false;                                                    \
      napi_is_exception_pending((env), &pending_);                              \
      if (!pending_)                                                            \
        napi_throw_error((env), "ERR_POCKETSPHINX_NAPI",                        \
                         info_ && info_->error_message ? info_->error_message   \
                                                       : "N-API call failed");  \
      return NULL;                                                              \
    }                                                                           \
  } while (0)

static void free_decoder(decoder_t *d) {
  if (d && d->ps) {
    ps_free(d->ps);
    d->ps = NULL;
  }
}

static void finalize(napi_env env, void *data, void *hint) {
  decoder_t *d = (decoder_t *)data;
  free_decoder(d);
  free_args(d->args, d->nargs);
  free(d);
}

/* Unwraps `this` and insists the decoder is still alive. */
static decoder_t *live_decoder(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  decoder_t *d = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, (void **)&d) != napi_ok || d == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_THIS", "method called on an object that is not a Decoder");
    return NULL;
  }
  if (d->ps == NULL) {
    napi_throw_error(env, "ERR_DECODER_FREED", "Decoder has been freed");
    return NULL;
  }
  return d;
}

/* Copies a string property of `obj` into `buf`; throws a TypeError naming `what` otherwise. */
static int get_string(napi_env env, napi_value value, char *buf, size_t size, const char *what) {
  napi_valuetype type;
  size_t len = 0;
  char msg[256];
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_string) {
    snprintf(msg, sizeof msg, "%s must be a string", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return 0;
  }
  if (napi_get_value_string_utf8(env, value, buf, size, &len) != napi_ok) return 0;
  if (len + 1 >= size) {
    snprintf(msg, sizeof msg, "%s is too long", what);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return 0;
  }
  return 1;
}

/* Turns a JS value (string, number, boolean) into the text cmd_ln expects. */
static int option_value_to_string(napi_env env, napi_value value, char *buf, size_t size, const char *name) {
  napi_valuetype type;
  char msg[256];
  if (napi_typeof(env, value, &type) != napi_ok) return 0;
  if (type == napi_string) return get_string(env, value, buf, size, name);
  if (type == napi_number) {
    double n;
    napi_get_value_double(env, value, &n);
    snprintf(buf, size, "%.17g", n);
    return 1;
  }
  if (type == napi_boolean) {
    bool b;
    napi_get_value_bool(env, value, &b);
    snprintf(buf, size, "%s", b ? "yes" : "no");
    return 1;
  }
  snprintf(msg, sizeof msg, "option %s must be a string, number or boolean", name);
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return 0;
}

static napi_value hypothesis_object(napi_env env, const char *text, int32 score, double confidence, int with_conf) {
  napi_value obj, v;
  CHECK(env, napi_create_object(env, &obj));
  CHECK(env, napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v));
  CHECK(env, napi_set_named_property(env, obj, "text", v));
  CHECK(env, napi_create_int32(env, score, &v));
  CHECK(env, napi_set_named_property(env, obj, "score", v));
  if (with_conf) {
    CHECK(env, napi_create_double(env, confidence, &v));
  } else {
    CHECK(env, napi_get_null(env, &v));
  }
  CHECK(env, napi_set_named_property(env, obj, "confidence", v));
  return obj;
}

/* new Decoder({ hmm, dict, lm, options? }) */
static napi_value decoder_new(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self, target;
  CHECK(env, napi_get_new_target(env, info, &target));
  if (target == NULL) {
    napi_throw_type_error(env, "ERR_CONSTRUCT_CALL_REQUIRED", "Decoder must be called with new");
    return NULL;
  }
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  napi_valuetype type = napi_undefined;
  if (argc >= 1) CHECK(env, napi_typeof(env, argv[0], &type));
  if (type != napi_object) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "Decoder expects an object { hmm, dict, lm, options? }");
    return NULL;
  }

  /* argv for cmd_ln_parse_r: flag/value pairs. */
  static const char *required[] = {"hmm", "dict", "lm"};
  char **args = calloc(2 * (MAX_OPTIONS + 3), sizeof(char *));
  int nargs = 0;
  napi_value result = NULL;
  cmd_ln_t *config = NULL;

  for (size_t i = 0; i < 3; i++) {
    napi_value v;
    char what[32];
    snprintf(what, sizeof what, "options.%s", required[i]);
    char *flag = malloc(8), *val = malloc(MAX_ARG_LEN);
    args[nargs++] = flag;
    args[nargs++] = val;
    snprintf(flag, 8, "-%s", required[i]);
    if (napi_get_named_property(env, argv[0], required[i], &v) != napi_ok ||
        !get_string(env, v, val, MAX_ARG_LEN, what))
      goto done;
  }

  napi_value opts;
  napi_valuetype opts_type;
  if (napi_get_named_property(env, argv[0], "options", &opts) != napi_ok) goto done;
  napi_typeof(env, opts, &opts_type);
  if (opts_type == napi_object) {
    napi_value names;
    uint32_t count = 0;
    if (napi_get_property_names(env, opts, &names) != napi_ok) goto done;
    napi_get_array_length(env, names, &count);
    if (count > MAX_OPTIONS) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "too many decoder options");
      goto done;
    }
    for (uint32_t i = 0; i < count; i++) {
      napi_value key, v;
      char *flag = malloc(MAX_ARG_LEN), *val = malloc(MAX_ARG_LEN);
      args[nargs++] = flag;
      args[nargs++] = val;
      napi_get_element(env, names, i, &key);
      if (!get_string(env, key, flag, MAX_ARG_LEN, "option name")) goto done;
      if (flag[0] != '-') {
        napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "option names start with '-', e.g. '-lw'");
        goto done;
      }
      napi_get_property(env, opts, key, &v);
      if (!option_value_to_string(env, v, val, MAX_ARG_LEN, flag)) goto done;
    }
  } else if (opts_type != napi_undefined && opts_type != napi_null) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "options.options must be an object");
    goto done;
  }

  /* strict: an unknown flag is an error rather than silently ignored. */
  config = cmd_ln_parse_r(NULL, ps_args(), nargs, args, TRUE);
  if (config == NULL) {
    napi_throw_error(env, "ERR_POCKETSPHINX_CONFIG", "invalid PocketSphinx option (unknown flag or bad value)");
    goto done;
  }
  ps_decoder_t *ps = ps_init(config);
  if (ps == NULL) {
    napi_throw_error(env, "ERR_POCKETSPHINX_INIT",
                     "PocketSphinx could not load the model (check the hmm, dict and lm paths)");
    goto done;
  }
  decoder_t *d = calloc(1, sizeof *d);
  d->ps = ps;
  d->bestpath = cmd_ln_boolean_r(config, "-bestpath") ? 1 : 0;
  d->args = args;
  d->nargs = nargs;
  args = NULL; /* owned by the decoder from here on */
  if (napi_wrap(env, self, d, finalize, NULL, NULL) != napi_ok) {
    free_decoder(d);
    cmd_ln_free_r(config);
    config = NULL;
    free_args(d->args, d->nargs);
    free(d);
    napi_throw_error(env, "ERR_POCKETSPHINX_NAPI", "could not wrap decoder");
    goto done;
  }
  result = self;

done:
  if (config) cmd_ln_free_r(config); /* ps_init retained its own reference */
  free_args(args, nargs);
  return result;
}

static napi_value decoder_start_utt(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  decoder_t *d = live_decoder(env, info, &argc, NULL);
  if (!d) return NULL;
  if (ps_start_utt(d->ps) < 0) {
    napi_throw_error(env, "ERR_POCKETSPHINX", "startUtt failed (is an utterance already started?)");
    return NULL;
  }
  d->in_utt = 1;
  return NULL;
}

/* processRaw(samples: Int16Array of 16 kHz mono PCM) -> frames searched */
static napi_value decoder_process_raw(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  decoder_t *d = live_decoder(env, info, &argc, argv);
  if (!d) return NULL;
  bool is_typed = false;
  if (argc >= 1) napi_is_typedarray(env, argv[0], &is_typed);
  napi_typedarray_type ta_type;
  size_t length = 0;
  void *data = NULL;
  if (is_typed) CHECK(env, napi_get_typedarray_info(env, argv[0], &ta_type, &length, &data, NULL, NULL));
  if (!is_typed || ta_type != napi_int16_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "processRaw expects an Int16Array of 16 kHz PCM");
    return NULL;
  }
  if (!d->in_utt) {
    napi_throw_error(env, "ERR_NO_UTTERANCE", "processRaw called outside an utterance (call startUtt first)");
    return NULL;
  }
  int frames = length ? ps_process_raw(d->ps, (const int16 *)data, length, FALSE, FALSE) : 0;
  if (frames < 0) {
    napi_throw_error(env, "ERR_POCKETSPHINX", "processRaw failed");
    return NULL;
  }
  napi_value out;
  CHECK(env, napi_create_int32(env, frames, &out));
  return out;
}

static napi_value decoder_in_speech(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  decoder_t *d = live_decoder(env, info, &argc, NULL);
  if (!d) return NULL;
  napi_value out;
  CHECK(env, napi_get_boolean(env, d->in_utt && ps_get_in_speech(d->ps), &out));
  return out;
}

/* The best hypothesis so far (partial during an utterance), or null. */
static napi_value decoder_hypothesis(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  decoder_t *d = live_decoder(env, info, &argc, NULL);
  if (!d) return NULL;
  int32 score = 0;
  const char *hyp = ps_get_hyp(d->ps, &score);
  napi_value out;
  if (hyp == NULL) {
    CHECK(env, napi_get_null(env, &out));
    return out;
  }
  return hypothesis_object(env, hyp, score, 0, 0);
}

/* Ends the utterance; returns the final hypothesis (with posterior confidence when
 * -bestpath is on, where the lattice needed for it already exists) or null. */
static napi_value decoder_end_utt(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  decoder_t *d = live_decoder(env, info, &argc, NULL);
  if (!d) return NULL;
  if (!d->in_utt) {
    napi_throw_error(env, "ERR_NO_UTTERANCE", "endUtt called outside an utterance");
    return NULL;
  }
  d->in_utt = 0;
  if (ps_end_utt(d->ps) < 0) {
    napi_throw_error(env, "ERR_POCKETSPHINX", "endUtt failed");
    return NULL;
  }
  int32 score = 0;
  const char *hyp = ps_get_hyp(d->ps, &score);
  napi_value out;
  if (hyp == NULL) {
    CHECK(env, napi_get_null(env, &out));
    return out;
  }
  double confidence = 0;
  if (d->bestpath) confidence = logmath_exp(ps_get_logmath(d->ps), ps_get_prob(d->ps));
  return hypothesis_object(env, hyp, score, confidence, d->bestpath);
}

/* Releases the model now rather than at garbage collection. Idempotent. */
static napi_value decoder_free(napi_env env, napi_callback_info info) {
  napi_value self;
  decoder_t *d = NULL;
  CHECK(env, napi_get_cb_info(env, info, NULL, NULL, &self, NULL));
  if (napi_unwrap(env, self, (void **)&d) != napi_ok || d == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_THIS", "method called on an object that is not a Decoder");
    return NULL;
  }
  free_decoder(d);
  d->in_utt = 0;
  return NULL;
}

NAPI_MODULE_INIT() {
  /* PocketSphinx logs every setting to stderr; silence it (process-wide) unless asked. */
  if (getenv("SWITCHBOARD_POCKETSPHINX_LOG") == NULL) err_set_logfp(NULL);

  napi_property_descriptor methods[] = {
      {"startUtt", NULL, decoder_start_utt, NULL, NULL, NULL, napi_default, NULL},
      {"processRaw", NULL, decoder_process_raw, NULL, NULL, NULL, napi_default, NULL},
      {"inSpeech", NULL, decoder_in_speech, NULL, NULL, NULL, napi_default, NULL},
      {"hypothesis", NULL, decoder_hypothesis, NULL, NULL, NULL, napi_default, NULL},
      {"endUtt", NULL, decoder_end_utt, NULL, NULL, NULL, napi_default, NULL},
      {"free", NULL, decoder_free, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls;
  CHECK(env, napi_define_class(env, "Decoder", NAPI_AUTO_LENGTH, decoder_new, NULL,
                               sizeof methods / sizeof methods[0], methods, &cls));
  CHECK(env, napi_set_named_property(env, exports, "Decoder", cls));
  return exports;
}
