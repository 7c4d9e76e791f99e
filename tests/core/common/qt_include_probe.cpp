// Must NOT compile: core's include paths do not reach Qt (see core_cannot_include_qt).
#include <QtCore/QString>
#include "recdeck/common/result.h"

int probe() {
    return QString("x").size();
}
