# ahal_pack_bundle(TARGET <name> OUTPUT <file> MANIFEST <file> IMAGES <spec>... FILES <file>...
#                  DEPENDS <target>... [EXCLUDE_FROM_ALL])
# Packs images into an ahal bundle with the ahal-bundle tool (docs/bundle.md).
# IMAGES are --image specs "FORMAT[@TARGET]:FILE[:KERNEL=ENTRY,...]".
function(ahal_pack_bundle)
  cmake_parse_arguments(ARG "EXCLUDE_FROM_ALL" "OUTPUT;MANIFEST;TARGET" "IMAGES;FILES;DEPENDS" ${ARGN})
  set(image_args "")
  foreach(spec IN LISTS ARG_IMAGES)
    list(APPEND image_args --image "${spec}")
  endforeach()
  add_custom_command(OUTPUT ${ARG_OUTPUT}
    COMMAND $<TARGET_FILE:ahal-bundle> pack -o ${ARG_OUTPUT} --manifest ${ARG_MANIFEST} ${image_args}
    DEPENDS ahal-bundle ${ARG_MANIFEST} ${ARG_FILES} ${ARG_DEPENDS}
    COMMENT "Packing bundle ${ARG_OUTPUT}" VERBATIM)
  set(all ALL)
  if(ARG_EXCLUDE_FROM_ALL)
    set(all "")
  endif()
  add_custom_target(${ARG_TARGET} ${all} DEPENDS ${ARG_OUTPUT})
endfunction()
