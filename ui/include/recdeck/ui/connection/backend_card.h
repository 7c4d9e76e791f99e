#pragma once

#include <QFrame>
#include <QTimer>

class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;

namespace recdeck::ui {

class EngineHost;
struct ConnectionTestResult;

// The Backend card: embedded store or Redis (URL, password), a connection test, and
// Apply, which reopens the engine on the chosen store and saves the choice
// (QSettings "backend/store", redacted: the password stays in memory only). Shows the
// current backend and its health, refreshed every 2 s.
class BackendCard : public QFrame {
    Q_OBJECT
public:
    explicit BackendCard(EngineHost& host, QWidget* parent = nullptr);

    // Tests the Redis settings in the fields (on a worker); emits connectionTested.
    void testConnection();
    // Reopens the engine on the chosen backend, after asking when `confirm` is set.
    // False when nothing was started (invalid URL, unchanged, declined).
    bool apply(bool confirm = true);

signals:
    void connectionTested(bool ok, const QString& message);

private:
    void loadFromHost();
    void updateMode();
    void updateStatus();
    void showTest(const ConnectionTestResult& result);
    void showMessage(const QString& text, bool error);
    bool redisChosen() const;

    EngineHost& m_host;
    QRadioButton* m_embedded;
    QRadioButton* m_redis;
    QLineEdit* m_url;
    QLineEdit* m_password;
    QWidget* m_redisFields;
    QPushButton* m_test;
    QPushButton* m_apply;
    QLabel* m_status;
    QLabel* m_result;
    QTimer m_timer;
    bool m_testing = false;
    QString m_applying;  // what apply() is switching to, until the engine has opened
    QString m_openStage;
};

}  // namespace recdeck::ui
