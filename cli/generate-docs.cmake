# Writes what the built CLI generates from its flag tables (cli/CMakeLists.txt):
#   cmake -DDRSYNC=path/to/drsync -DOUT=dir -P generate-docs.cmake
# OUT/drsync.1 (drsync man), OUT/drsync.bash and OUT/_drsync (drsync completion bash|zsh).
foreach(what "man;drsync.1" "completion;bash;drsync.bash" "completion;zsh;_drsync")
  list(POP_BACK what file)
  execute_process(COMMAND ${DRSYNC} ${what} OUTPUT_FILE ${OUT}/${file}.tmp RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "drsync ${what} failed (${rc})")
  endif()
  file(RENAME ${OUT}/${file}.tmp ${OUT}/${file})
endforeach()
