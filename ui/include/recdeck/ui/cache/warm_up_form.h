#pragma once
// "Warm the N most active users": requests their lists on a worker so their next visit is
// a cache hit, with a progress bar (polled from the worker's atomic progress, never
// pushed per user), a Cancel button and a summary.

#include <QFrame>
#include <QTimer>

#include <atomic>
#include <memory>
#include <stop_token>

class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace recdeck::serving {
struct WarmUpSummary;
}  // namespace recdeck::serving

namespace recdeck::ui {

class EngineHost;

class WarmUpForm : public QFrame {
    Q_OBJECT
public:
    explicit WarmUpForm(EngineHost& host, QWidget* parent = nullptr);
    ~WarmUpForm() override;

    bool isRunning() const { return m_progress != nullptr; }
    void start();
    void cancel();

signals:
    void finished();

private:
    struct Progress {
        std::atomic<int> done{0};  // users requested so far
    };
    void poll();
    void finish(const serving::WarmUpSummary& summary);

    EngineHost& m_host;
    QSpinBox* m_count;
    QPushButton* m_start;
    QPushButton* m_cancel;
    QProgressBar* m_bar;
    QLabel* m_summary;
    QTimer m_poll;
    std::shared_ptr<Progress> m_progress;
    std::stop_source m_stop;
};

}  // namespace recdeck::ui
