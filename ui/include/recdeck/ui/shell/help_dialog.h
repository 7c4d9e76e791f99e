#pragma once
// HelpDialog: the Help menu's window. Three pages: the keyboard shortcuts, how to read an
// experiment's verdict (the Results tab, item by item) and the README, compiled into the
// console so it reads the same offline and on every platform. Not modal: it stays open
// beside the window it explains.

#include <QDialog>

class QListWidget;
class QTextBrowser;

namespace recdeck::ui {

enum class HelpTopic { Shortcuts, Verdict, Readme };

class HelpDialog : public QDialog {
    Q_OBJECT
public:
    explicit HelpDialog(QWidget* parent = nullptr);

    void showTopic(HelpTopic topic);
    HelpTopic topic() const;
    // The page's text as shown (plain), for tests.
    QString pageText() const;

    static QString shortcutsHtml();
    static QString verdictHtml();
    // The README's Markdown without its pictures (a dialog is no place for screenshots).
    static QString readmeMarkdown();

private:
    QListWidget* m_topics;
    QTextBrowser* m_page;
};

}  // namespace recdeck::ui
