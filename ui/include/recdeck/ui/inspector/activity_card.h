#pragma once

#include <QFrame>
#include <QStringList>

#include "recdeck/store/event.h"

class QAbstractItemModel;
class QCompleter;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace recdeck::ui {

// Acting as the user: pick an item (from the list or the catalog, with completion) and
// record a click or a purchase; a timeline shows what followed (the event committed, the
// cache invalidated, the features refreshed, the new list).
class ActivityCard : public QFrame {
    Q_OBJECT
public:
    enum class Entry { Info, Event, Invalidation, Result, Error };

    explicit ActivityCard(QWidget* parent = nullptr);

    // The catalog for completion (rows: "Title · id", Qt::UserRole: the id).
    void setCatalogModel(QAbstractItemModel* model);
    // Puts an item in the picker.
    void setItem(const QString& text);
    // The id in the picker: the part after the last " · ", or the whole text.
    QString itemId() const;
    void setBusy(bool busy);
    void setEnabledForUser(bool enabled);

    void log(Entry kind, const QString& text);
    QStringList entries() const;

signals:
    void recordRequested(store::EventType type, const QString& itemId);

private:
    void request(store::EventType type);
    void updateButtons();

    QLineEdit* m_item;
    QCompleter* m_completer;
    QPushButton* m_click;
    QPushButton* m_purchase;
    QListWidget* m_timeline;
    bool m_busy = false;
    bool m_enabled = false;
};

}  // namespace recdeck::ui
