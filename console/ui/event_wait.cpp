// SPDX-License-Identifier: Apache-2.0
#include "console/ui/event_wait.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

namespace ironsight::console::ui {

bool processEventsWhile(const std::function<bool()>& busy, int timeoutMs) {
    QElapsedTimer clock;
    clock.start();
    while (busy()) {
        if (clock.elapsed() > timeoutMs) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(1);
    }
    QCoreApplication::processEvents();
    return true;
}

}  // namespace ironsight::console::ui
