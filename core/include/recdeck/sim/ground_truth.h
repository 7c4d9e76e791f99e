#pragma once
// GroundTruth: what simulated users really want, independent of what the service
// believes. The simulator shows a persona a list and draws a click at each position with
// clickProbability, then a purchase of each clicked item with purchaseProbability.
//
// A persona is one user of the truth's population (0 <= persona < personaCount()). A
// returning simulated user is a persona under its own id (personaId); a brand-new user
// gets a fresh id but the tastes of some persona, so the service meets an unknown user
// whose preferences are nevertheless real.
//
// Position bias: users look less at lower positions. Every truth here multiplies its
// appeal by positionAttention(position, decay) = decay^position (position 0-based), a
// mild geometric decay: with the default decay 0.93, position 1 gets 93% of the top
// slot's attention, position 5 70%, position 10 48%.
//
// Thread safety: implementations are immutable once built; every method may be called
// concurrently.

#include <cstddef>
#include <string>
#include <string_view>

namespace recdeck::sim {

inline constexpr double kDefaultPositionDecay = 0.93;

// decay^position, in (0, 1] for decay in (0, 1]; decay outside (0, 1] is clamped.
double positionAttention(std::size_t position, double decay = kDefaultPositionDecay);

class GroundTruth {
public:
    virtual ~GroundTruth() = default;

    // Number of personas (>= 1 for a usable truth).
    virtual std::size_t personaCount() const = 0;
    // The id the service knows persona `persona` by ("user_0042", "17").
    virtual const std::string& personaId(std::size_t persona) const = 0;
    // Probability in [0, 1] that the persona clicks `item` shown at 0-based `position`.
    // Items the truth does not know get its base rate (or 0).
    virtual double clickProbability(std::size_t persona, std::string_view item, std::size_t position) const = 0;
    // Probability in [0, 1] that the persona buys `item`, given that they clicked it.
    virtual double purchaseProbability(std::size_t persona, std::string_view item) const = 0;
    // "demo world (seed 42, 2000 users, 1500 items)", "held-out 25% of ratings.csv".
    virtual std::string describe() const = 0;
};

}  // namespace recdeck::sim
