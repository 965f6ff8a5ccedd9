# cmake -DOUTPUT=<file.inc> -DFILES=<a;b> -P embed_runtime.cmake: one
# {"name", R"(text)"} initializer per file, for ahal-kernelc's kRuntime.
set(content "// Generated from tools/kernelc/runtime by embed_runtime.cmake.\n")
foreach(file IN LISTS FILES)
  file(READ ${file} text)
  get_filename_component(name ${file} NAME)
  string(APPEND content "{\"${name}\", R\"ahal_runtime(${text})ahal_runtime\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "${content}")
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
