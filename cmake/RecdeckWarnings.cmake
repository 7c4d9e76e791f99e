# Warnings as errors for RecDeck's own targets. Third-party headers (Qt, Eigen, Boost)
# come in as system includes, so these stay clean on our code only.
option(RECDECK_WERROR "Treat warnings as errors" ON)

add_library(recdeck_warnings INTERFACE)
add_library(recdeck::warnings ALIAS recdeck_warnings)
if(MSVC)
  target_compile_options(recdeck_warnings INTERFACE /W4 /permissive- /utf-8
    $<$<BOOL:${RECDECK_WERROR}>:/WX>)
  # getenv and friends are used deliberately (portable code has no *_s variants);
  # windows.h must not define min/max macros.
  target_compile_definitions(recdeck_warnings INTERFACE _CRT_SECURE_NO_WARNINGS NOMINMAX)
else()
  target_compile_options(recdeck_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough
    $<$<BOOL:${RECDECK_WERROR}>:-Werror>)
endif()

# Sanitizer build (the "asan" preset): address + undefined behaviour.
option(RECDECK_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(RECDECK_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Thread sanitizer build (the "tsan" preset): the tests labelled "concurrency".
option(RECDECK_SANITIZE_THREAD "Build with ThreadSanitizer" OFF)
if(RECDECK_SANITIZE_THREAD)
  if(RECDECK_SANITIZE)
    message(FATAL_ERROR "ThreadSanitizer cannot be combined with AddressSanitizer")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
