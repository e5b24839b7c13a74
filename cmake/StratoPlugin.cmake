# strato_add_plugin(<name> SOURCES ... [AGENT] [OUTPUT_DIR dir] [NO_INSTALL])
# Builds a plugin as a MODULE library against the SDK only. Management-node plugins land in
# lib/strato/plugins, AGENT plugins in lib/strato/agent-plugins (build tree and install tree).
# Installed with the SDK, so out-of-tree plugins use the same function after find_package(Strato).
function(strato_add_plugin name)
  cmake_parse_arguments(P "AGENT;NO_INSTALL" "OUTPUT_DIR" "SOURCES" ${ARGN})
  add_library(${name} MODULE ${P_SOURCES})
  target_link_libraries(${name} PRIVATE Strato::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX "lib" CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  # The build id lives in one generated file, so a new commit recompiles only that file and
  # not every source of every plugin (which a target-wide definition would, missing ccache).
  if(DEFINED STRATO_GIT_COMMIT)
    set(id_file ${CMAKE_CURRENT_BINARY_DIR}/${name}_build_id.cc)
    file(CONFIGURE OUTPUT ${id_file} CONTENT
         "extern \"C\" __attribute__((visibility(\"hidden\"))) const char* strato_plugin_build_id() noexcept {\n  return \"${STRATO_GIT_COMMIT}\";\n}\n")
    target_sources(${name} PRIVATE ${id_file})
  endif()
  if(P_AGENT)
    set(subdir ${STRATO_AGENT_PLUGIN_SUBDIR})
  else()
    set(subdir ${STRATO_PLUGIN_SUBDIR})
  endif()
  if(P_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIR})
  else()
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/${subdir})
  endif()
  if(NOT P_NO_INSTALL)
    install(TARGETS ${name} LIBRARY DESTINATION ${subdir} COMPONENT runtime)
    set_property(GLOBAL APPEND PROPERTY STRATO_INSTALLED_PLUGINS ${name})
  endif()
endfunction()
