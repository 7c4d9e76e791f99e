#pragma once
// A step of a longer task: its progress 0..1 maps to [from, to] of the parent's, its stage
// is prefixed ("prefix: stage"), and it stops when the parent does.

#include <string>

#include "recdeck/common/task.h"

namespace recdeck {

TaskControl subTask(const TaskControl& parent, double from, double to, std::string prefix);

}  // namespace recdeck
