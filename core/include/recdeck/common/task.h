#pragma once
// Long-running core work (training, import, evaluation) reports progress and honours
// cancellation through a TaskControl. Both callbacks may be called from worker threads.

#include <functional>
#include <stop_token>
#include <string_view>

namespace recdeck {

struct TaskControl {
    // Fraction done in [0, 1] and a short stage label ("epoch 3/15"). May be empty.
    std::function<void(double fraction, std::string_view stage)> progress;
    // Cooperative cancellation: work checks it between units and stops early.
    std::stop_token stop;

    void report(double fraction, std::string_view stage = {}) const {
        if (progress) progress(fraction, stage);
    }
    bool cancelled() const { return stop.stop_requested(); }
};

}  // namespace recdeck
