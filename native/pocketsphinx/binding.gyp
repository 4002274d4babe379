{
  # Links the system pocketsphinx/sphinxbase (Debian libpocketsphinx-dev, 0.8+5prealpha API)
  # found through pkg-config, so no model or library is vendored here.
  "targets": [
    {
      "target_name": "pocketsphinx",
      "sources": ["src/addon.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter", "<!@(pkg-config --cflags pocketsphinx sphinxbase)"],
      "libraries": ["<!@(pkg-config --libs pocketsphinx sphinxbase)"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
