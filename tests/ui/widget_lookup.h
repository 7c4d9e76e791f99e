#pragma once
// Finding the widgets a GUI test drives: by object name, by a button's accessible (or
// object) name, by a property value; and a loopback port nothing listens on. A lookup
// that finds nothing warns with the name, so a renamed widget is easy to spot.

#include <QHostAddress>
#include <QObject>
#include <QPushButton>
#include <QString>
#include <QTcpServer>
#include <QWidget>

namespace recdeck::test {

template <typename T>
T* child(const QObject* parent, const QString& name) {
    auto* found = parent->findChild<T*>(name);
    if (!found) qWarning("no child named %s", qPrintable(name));
    return found;
}

template <typename T>
T* child(const QObject& parent, const QString& name) {
    return child<T>(&parent, name);
}

inline QPushButton* buttonNamed(QWidget& parent, const QString& name) {
    for (auto* button : parent.findChildren<QPushButton*>()) {
        if (button->accessibleName() == name || button->objectName() == name) return button;
    }
    qWarning("no button %s", qPrintable(name));
    return nullptr;
}

template <typename T>
T* findByProperty(QObject* root, const char* property, const QString& value) {
    for (T* candidate : root->findChildren<T*>()) {
        if (candidate->property(property).toString() == value) return candidate;
    }
    return nullptr;
}

// A loopback port nothing listens on (bound, then released).
inline quint16 closedPort() {
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0)) return 0;
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

}  // namespace recdeck::test
