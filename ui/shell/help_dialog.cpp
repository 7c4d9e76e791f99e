#include "recdeck/ui/shell/help_dialog.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QHBoxLayout>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QTextBrowser>
#include <QVBoxLayout>

// README.md is compiled into the library (ui/CMakeLists.txt); the initialiser runs
// outside any namespace.
static void initDocsResources() {
    Q_INIT_RESOURCE(docs);
}

namespace recdeck::ui {

namespace {

struct Shortcut {
    const char* keys;
    const char* what;
};

}  // namespace

HelpDialog::HelpDialog(QWidget* parent)
    : QDialog(parent), m_topics(new QListWidget(this)), m_page(new QTextBrowser(this)) {
    initDocsResources();
    setWindowTitle(tr("RecDeck help"));
    resize(860, 620);
    m_topics->setObjectName(QStringLiteral("helpTopics"));
    m_topics->addItems({tr("Keyboard shortcuts"), tr("How to read a verdict"), tr("Documentation (README)")});
    m_topics->setFixedWidth(200);
    m_page->setObjectName(QStringLiteral("helpPage"));
    m_page->setOpenExternalLinks(true);
    m_page->document()->setDocumentMargin(14);
    connect(m_topics, &QListWidget::currentRowChanged, this, [this](int row) {
        switch (row) {
            case 0:
                m_page->setHtml(shortcutsHtml());
                break;
            case 1:
                m_page->setHtml(verdictHtml());
                break;
            default:
                m_page->setMarkdown(readmeMarkdown());
                break;
        }
    });
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    auto* body = new QHBoxLayout();
    body->addWidget(m_topics);
    body->addWidget(m_page, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(body, 1);
    layout->addWidget(buttons);
    showTopic(HelpTopic::Shortcuts);
}

void HelpDialog::showTopic(HelpTopic topic) {
    m_topics->setCurrentRow(static_cast<int>(topic));
}

HelpTopic HelpDialog::topic() const {
    return static_cast<HelpTopic>(std::max(0, m_topics->currentRow()));
}

QString HelpDialog::pageText() const {
    return m_page->toPlainText();
}

QString HelpDialog::shortcutsHtml() {
    const Shortcut everywhere[] = {
        {"Ctrl+1 … Ctrl+7", "Dashboard, Experiments, User inspector, Cache, Models, Connection & data, Fleet"},
        {"F6", "start or stop the simulated traffic"},
        {"F1", "this list"},
        {"Ctrl+Q", "quit"},
        {"Alt+letter", "open a menu by its underlined letter (File, View, Traffic, Help)"},
    };
    const Shortcut design[] = {
        {"Ctrl+S", "save the experiment (Create draft for a new one)"},
        {"Ctrl+Z", "undo the last edit"},
        {"Ctrl+Shift+Z, Ctrl+Y", "redo"},
        {"F2 or double-click", "edit a cell of the variants table"},
        {"Tab / Shift+Tab", "next / previous field"},
    };
    auto table = [](const QString& title, const auto& rows) {
        QString html = QStringLiteral("<h3>%1</h3><table cellspacing='0' cellpadding='4'>").arg(title);
        for (const auto& row : rows) {
            html += QStringLiteral("<tr><td style='padding-right:18px'><b>%1</b></td><td>%2</td></tr>")
                        .arg(QString::fromUtf8(row.keys).toHtmlEscaped(), tr(row.what).toHtmlEscaped());
        }
        return html + QStringLiteral("</table>");
    };
    return QStringLiteral("<h2>%1</h2>").arg(tr("Keyboard shortcuts")) + table(tr("Everywhere"), everywhere) +
           table(tr("Experiments · Design"), design) +
           QStringLiteral("<p>%1</p>")
               .arg(tr("A spin box or drop-down changes with the mouse wheel only once it has the focus (click it or "
                       "tab to it); otherwise the wheel scrolls the page."));
}

QString HelpDialog::verdictHtml() {
    return tr(R"(<h2>How to read a verdict</h2>
<p>The <b>Results</b> tab of an experiment answers one question: is a treatment better than the control on the
<i>primary metric</i>, and can you trust the answer yet?</p>
<h3>The headline</h3>
<ul>
<li><b>“x” is winning — safe to stop</b>: significantly better, confirmed by the peeking-safe test or by reaching
the planned sample. Ship it.</li>
<li><b>“x” is winning — keep it running to confirm</b>: significant at the planned α, but you have looked many
times; wait until the peeking-safe test or the planned sample confirms it.</li>
<li><b>“x” is losing</b>: significantly worse. Stop it.</li>
<li><b>No significant difference</b>: the planned sample is reached and no effect as large as the one planned is
there.</li>
<li><b>Not enough data yet</b> (<b>Inconclusive</b> once stopped): an arm is below 100 users or 10 successes, or
the difference is not significant before the planned sample. A small p-value on arms that small is not yet a
result, and the table does not mark it as one.</li>
<li><b>Sample-ratio mismatch</b>: the variants did not get the users their weights promise (χ² test, p &lt; 0.001).
Assignment or logging is broken: trust nothing until it is explained.</li>
</ul>
<p>With several treatments there is one line per treatment, and p-values are <b>Holm-adjusted</b>: each is
corrected for the number of comparisons, so three treatments do not triple the chance of a false winner. The
sample-size calculator plans with the same correction.</p>
<h3>The figures</h3>
<ul>
<li><b>Lift</b>: the treatment's metric relative to the control's, with its 95 % confidence interval. An interval
that includes 0 % is not a result.</li>
<li><b>p-value</b>: how surprising the difference would be if the variants were equal. Below α (usually 5 %):
significant.</li>
<li><b>Chance to beat control</b> and <b>expected loss</b> (Bayesian): how likely the treatment is better, and how
much you would lose, on average, by shipping the wrong arm.</li>
<li><b>Peeking-safe test</b>: an always-valid p-value that stays correct however often you look. “Safe to stop”
means you may end the experiment now.</li>
<li><b>Planned sample</b>: users per variant so far against what the plan needs to detect its minimum effect.</li>
<li><b>Guardrails</b>: metrics that must not get worse (say, conversion while you optimise clicks). The card names
every guardrail you set, and marks one ✗ when a treatment is significantly worse on it.</li>
</ul>
<h3>Traffic and stops</h3>
<ul>
<li><b>Users it gets</b> (the list): experiments that set the same thing (the model, or the ranking) never share a
user. One that starts while others hold every such user <i>waits for users</i> and says who has them, or shares
their traffic if you choose so in the Start dialog.</li>
<li><b>Stopped</b>: the results are <b>frozen</b> at the stop: the figures, the peeking-safe looks and the chart end
there and no longer change. Restart (with a new salt) to run again from zero.</li>
</ul>)");
}

QString HelpDialog::readmeMarkdown() {
    initDocsResources();
    QFile file(QStringLiteral(":/recdeck/docs/README.md"));
    if (!file.open(QIODevice::ReadOnly)) return tr("The README is not available in this build.");
    QString text = QString::fromUtf8(file.readAll());
    // Pictures (and the table that lays them out) need the screenshots folder.
    text.remove(
        QRegularExpression(QStringLiteral("^!\\[[^\\]]*\\]\\([^)]*\\)\\s*$"), QRegularExpression::MultilineOption));
    text.remove(
        QRegularExpression(QStringLiteral("^\\|[^\\n]*!\\[[^\\n]*\\|\\s*$"), QRegularExpression::MultilineOption));
    text.remove(QRegularExpression(QStringLiteral("^\\| \\| \\|\\s*\\n\\|---\\|---\\|\\s*$"),
                                   QRegularExpression::MultilineOption));
    return text;
}

}  // namespace recdeck::ui
