#include "recdeck/common/sub_task.h"

#include <algorithm>
#include <string_view>

namespace recdeck {

TaskControl subTask(const TaskControl& parent, double from, double to, std::string prefix) {
    TaskControl child;
    child.stop = parent.stop;
    if (parent.progress) {
        child.progress = [parent, from, to, prefix = std::move(prefix)](double fraction, std::string_view stage) {
            parent.report(from + (to - from) * std::clamp(fraction, 0.0, 1.0),
                          stage.empty() ? prefix : prefix + ": " + std::string(stage));
        };
    }
    return child;
}

}  // namespace recdeck
