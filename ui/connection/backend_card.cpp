#include "recdeck/ui/connection/backend_card.h"

#include <QButtonGroup>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QVBoxLayout>

#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/common/async.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/connection/redis_connection.h"

namespace recdeck::ui {

namespace {

QString dot(const QColor& colour) {
    return QStringLiteral("<span style=\"color:%1\">&#9679;</span>").arg(theme::css(colour));
}

bool isEmbedded(const std::string& store) {
    return store.empty() || store == "embedded";
}

}  // namespace

BackendCard::BackendCard(EngineHost& host, QWidget* parent)
    : QFrame(parent),
      m_host(host),
      m_embedded(new QRadioButton(tr("Embedded"), this)),
      m_redis(new QRadioButton(tr("Redis"), this)),
      m_url(new QLineEdit(this)),
      m_password(new QLineEdit(this)),
      m_redisFields(new QWidget(this)),
      m_test(new QPushButton(tr("Test connection"), this)),
      m_apply(new QPushButton(tr("Apply…"), this)),
      m_status(new QLabel(this)),
      m_result(new QLabel(this)) {
    setObjectName(QStringLiteral("card"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 12, 14, 12);
    layout->setSpacing(8);

    auto* title = new QLabel(tr("Backend"), this);
    title->setObjectName(QStringLiteral("sectionHeading"));
    m_status->setObjectName(QStringLiteral("backendStatus"));
    m_status->setTextFormat(Qt::RichText);
    m_status->setWordWrap(true);
    layout->addWidget(title);
    layout->addWidget(m_status);

    auto* group = new QButtonGroup(this);
    group->addButton(m_embedded);
    group->addButton(m_redis);
    m_embedded->setObjectName(QStringLiteral("backendEmbedded"));
    m_redis->setObjectName(QStringLiteral("backendRedis"));
    m_embedded->setToolTip(
        tr("Everything inside this app: state in memory, durable data in the data folder. Nothing to start."));
    m_redis->setToolTip(
        tr("Feature store, L2 cache, experiments and invalidations in Redis, shared with every recdeckd "
           "instance that uses the same server"));
    auto* embeddedNote = new QLabel(tr("Everything inside this app; nothing to start."), this);
    embeddedNote->setObjectName(QStringLiteral("muted"));
    embeddedNote->setWordWrap(true);
    auto* redisNote = new QLabel(tr("Shares experiments, cache and invalidations with recdeckd instances."), this);
    redisNote->setObjectName(QStringLiteral("muted"));
    redisNote->setWordWrap(true);
    auto* choice = new QFormLayout();
    choice->setContentsMargins(0, 4, 0, 0);
    choice->setHorizontalSpacing(12);
    choice->setVerticalSpacing(4);
    choice->addRow(m_embedded, embeddedNote);
    choice->addRow(m_redis, redisNote);
    layout->addLayout(choice);

    m_url->setObjectName(QStringLiteral("redisUrl"));
    m_url->setPlaceholderText(QStringLiteral("redis://127.0.0.1:6379/0"));
    m_url->setToolTip(tr("redis://host:port/db — the server every instance shares (no TLS)"));
    m_url->setClearButtonEnabled(true);
    m_password->setObjectName(QStringLiteral("redisPassword"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("none, or from RECDECK_REDIS_PASSWORD"));
    m_password->setToolTip(tr("The Redis password (AUTH). Kept in memory for this session only, never saved."));
    auto* passwordNote =
        new QLabel(tr("The password is used for this session only and never saved. To connect at start-up, set "
                      "RECDECK_REDIS_PASSWORD in the console's environment."),
                   this);
    passwordNote->setObjectName(QStringLiteral("muted"));
    passwordNote->setWordWrap(true);
    auto* fields = new QFormLayout(m_redisFields);
    fields->setContentsMargins(24, 2, 0, 0);
    fields->setHorizontalSpacing(10);
    fields->setVerticalSpacing(6);
    fields->addRow(tr("URL"), m_url);
    fields->addRow(tr("Password"), m_password);
    fields->addRow(QString(), passwordNote);
    layout->addWidget(m_redisFields);

    auto* buttons = new QHBoxLayout();
    buttons->setSpacing(8);
    m_test->setAccessibleName(QStringLiteral("testConnection"));
    m_test->setToolTip(tr("Connect to this Redis, authenticate and measure a PING round trip; nothing is changed"));
    m_apply->setObjectName(QStringLiteral("primary"));
    m_apply->setAccessibleName(QStringLiteral("applyBackend"));
    m_apply->setToolTip(tr("Restart the engine on this backend and remember the choice"));
    buttons->addWidget(m_test);
    buttons->addStretch(1);
    buttons->addWidget(m_apply);
    layout->addLayout(buttons);

    m_result->setObjectName(QStringLiteral("connectionResult"));
    m_result->setWordWrap(true);
    m_result->setTextFormat(Qt::RichText);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_result->hide();
    layout->addWidget(m_result);

    connect(m_embedded, &QRadioButton::toggled, this, &BackendCard::updateMode);
    connect(m_test, &QPushButton::clicked, this, &BackendCard::testConnection);
    connect(m_apply, &QPushButton::clicked, this, [this] { apply(true); });
    connect(m_url, &QLineEdit::textEdited, this, [this] { m_result->hide(); });
    connect(m_password, &QLineEdit::textEdited, this, [this] { m_result->hide(); });
    connect(&host, &EngineHost::opening, this, [this](double fraction, const QString& stage) {
        m_openStage = QStringLiteral("%1 (%2 %)").arg(stage).arg(static_cast<int>(fraction * 100));
        updateStatus();
    });
    connect(&host, &EngineHost::opened, this, [this] {
        m_openStage.clear();
        loadFromHost();
        updateStatus();
        if (!m_applying.isEmpty()) showMessage(tr("The engine now runs on %1.").arg(m_applying), false);
        m_applying.clear();
    });
    connect(&host, &EngineHost::openFailed, this, [this](const QString& message) {
        m_openStage.clear();
        m_applying.clear();
        updateStatus();
        showMessage(
            tr("The engine could not open on this backend: %1. Choose another backend and apply again.").arg(message),
            true);
    });
    m_timer.setInterval(2000);
    connect(&m_timer, &QTimer::timeout, this, &BackendCard::updateStatus);
    m_timer.start();
    loadFromHost();
    updateStatus();
}

bool BackendCard::redisChosen() const {
    return m_redis->isChecked();
}

void BackendCard::loadFromHost() {
    const std::string& store = m_host.config().store;
    if (isEmbedded(store)) {
        m_embedded->setChecked(true);
        if (m_url->text().isEmpty()) m_url->setText(QStringLiteral("redis://127.0.0.1:6379/0"));
    } else {
        m_redis->setChecked(true);
        const RedisSettings settings = RedisSettings::fromSpec(store);
        m_url->setText(settings.url);
        if (!settings.password.isEmpty()) m_password->setText(settings.password);
    }
    updateMode();
}

void BackendCard::updateMode() {
    const bool redis = redisChosen();
    m_redisFields->setEnabled(redis);
    m_test->setEnabled(redis && !m_testing);
}

void BackendCard::updateStatus() {
    QString text;
    if (m_host.isOpening()) {
        text = dot(theme::muted()) + tr(" Opening the engine… %1").arg(m_openStage.toHtmlEscaped());
    } else if (!m_host.isOpen()) {
        text = dot(theme::bad()) + tr(" <b>Not connected</b> — no engine is running");
    } else {
        auto store = m_host.engine()->store();
        const store::StoreHealth health = store->health();
        const QString name = QString::fromStdString(store->describe()).toHtmlEscaped();
        if (name == QLatin1String("embedded")) {
            text = dot(theme::good()) + tr(" <b>Embedded store</b> — in use and healthy");
        } else if (health.healthy) {
            text = dot(theme::good()) + tr(" <b>Redis</b> %1 — connected").arg(name);
        } else {
            text = dot(theme::bad()) + tr(" <b>Redis</b> %1 — unreachable: %2; retrying in %3")
                                           .arg(name, QString::fromStdString(health.lastError).toHtmlEscaped(),
                                                format::milliseconds(static_cast<double>(health.retryIn.count())));
        }
    }
    m_status->setText(tr("Current: ") + text);
    m_apply->setEnabled(!m_host.isOpening());
}

void BackendCard::showMessage(const QString& text, bool error) {
    m_result->setText(QStringLiteral("%1 %2").arg(dot(error ? theme::bad() : theme::good()), text.toHtmlEscaped()));
    m_result->show();
}

void BackendCard::testConnection() {
    if (m_testing) return;
    if (!redisChosen()) {
        showMessage(tr("The embedded store needs no connection."), false);
        emit connectionTested(true, tr("embedded"));
        return;
    }
    QString error;
    const auto spec = RedisSettings{m_url->text(), m_password->text()}.spec(&error);
    if (!spec) {
        showMessage(error, true);
        emit connectionTested(false, error);
        return;
    }
    m_testing = true;
    m_test->setEnabled(false);
    m_test->setText(tr("Testing…"));
    m_result->setText(dot(theme::muted()) +
                      tr(" Connecting to %1…").arg(RedisSettings{m_url->text(), {}}.redacted().toHtmlEscaped()));
    m_result->show();
    runAsync(
        this, [target = *spec] { return testRedisConnection(target); },
        [this](ConnectionTestResult result) {
            m_testing = false;
            m_test->setText(tr("Test connection"));
            updateMode();
            showTest(result);
            emit connectionTested(result.ok, result.message);
        });
}

void BackendCard::showTest(const ConnectionTestResult& result) {
    if (!result.ok) {
        QString hint;
        if (result.message.contains(QStringLiteral("requires a password")))
            hint = tr(" Enter it in the Password field above.");
        m_result->setText(dot(theme::bad()) + tr(" <b>Connection failed.</b> %1").arg(result.message.toHtmlEscaped()) +
                          hint);
        m_result->show();
        return;
    }
    QString keys;
    if (result.recdeckKeys == 0) {
        keys = tr("No RecDeck data there yet: this console would be the first to use it.");
    } else if (result.recdeckKeys > 0) {
        keys = tr("%1%2 RecDeck keys already there (instances use it).")
                   .arg(result.keysTruncated ? tr("More than ") : QString(),
                        format::count(static_cast<double>(result.recdeckKeys)));
    }
    m_result->setText(dot(theme::good()) +
                      tr(" <b>Connected</b> to %1 — PING round trip %2 (connect and authenticate %3). %4")
                          .arg(result.server.toHtmlEscaped(), format::milliseconds(result.roundTripMs),
                               format::milliseconds(result.connectMs), keys.toHtmlEscaped()));
    m_result->show();
}

bool BackendCard::apply(bool confirm) {
    std::string spec = "embedded";
    QString shown = tr("the embedded store");
    QString saved = QStringLiteral("embedded");
    if (redisChosen()) {
        QString error;
        const RedisSettings settings{m_url->text(), m_password->text()};
        const auto redisSpec = settings.spec(&error);
        if (!redisSpec) {
            showMessage(error, true);
            return false;
        }
        spec = *redisSpec;
        saved = settings.redacted();
        shown = tr("Redis at %1").arg(saved);
    }
    if (m_host.isOpen() && spec == m_host.config().store) {
        showMessage(tr("The console already uses %1.").arg(shown), false);
        return false;
    }
    if (confirm) {
        const auto answer = QMessageBox::question(
            this, tr("Switch the backend?"),
            tr("Restart the engine on %1?\n\nThe traffic simulator restarts and in-memory state is reset: live charts, "
               "the "
               "L1 cache and recent impressions. Events, trained models and experiments kept in the data folder stay.")
                .arg(shown),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes) return false;
    }
    QSettings().setValue(QStringLiteral("backend/store"), saved);
    serving::EngineConfig config = m_host.config();
    config.store = spec;
    config.storeInstance.reset();
    config.dataset.reset();  // the data folder remembers the last dataset it was given
    m_result->setText(dot(theme::muted()) + tr(" Restarting the engine on %1…").arg(shown.toHtmlEscaped()));
    m_result->show();
    m_applying = shown;
    m_host.open(config);
    updateStatus();
    return true;
}

}  // namespace recdeck::ui
