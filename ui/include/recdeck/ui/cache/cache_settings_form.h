#pragma once
// The cache's expiry and size settings: TTL, jitter, XFetch beta and the L1 limits. Shows
// the engine's current values (from each LiveFeed snapshot) until the user edits a field;
// Apply sends the edited values to TieredCache::setConfig on a worker (shrinking the
// limits evicts at once).

#include <QFrame>

#include <optional>

#include "recdeck/cache/tiered_cache.h"

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace recdeck::ui {

class EngineHost;

class CacheSettingsForm : public QFrame {
    Q_OBJECT
public:
    explicit CacheSettingsForm(EngineHost& host, QWidget* parent = nullptr);

    // The engine's current configuration; fills the fields unless the user is editing them.
    void setCurrent(const cache::CacheConfig& config);
    // The fields as a configuration (other fields from the current one).
    cache::CacheConfig edited() const;
    bool isEditing() const { return m_editing; }

    // Why a configuration cannot be applied, or empty when it can.
    static QString validate(const cache::CacheConfig& config);

private:
    void fill(const cache::CacheConfig& config);
    void markEdited();
    void apply();
    void revert();
    void showStatus(const QString& text, bool error);

    EngineHost& m_host;
    QSpinBox* m_ttl;
    QDoubleSpinBox* m_jitter;
    QDoubleSpinBox* m_beta;
    QSpinBox* m_entries;
    QSpinBox* m_megabytes;
    QPushButton* m_apply;
    QPushButton* m_revert;
    QLabel* m_current;
    QLabel* m_status;
    std::optional<cache::CacheConfig> m_config;
    bool m_editing = false;
    bool m_filling = false;
    bool m_applying = false;
};

}  // namespace recdeck::ui
