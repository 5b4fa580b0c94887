// SPDX-License-Identifier: Apache-2.0
// Loads the .qm files compiled by lrelease into the resources (:/i18n) and installs them.
#include "console/ui/language.h"

#include <QCoreApplication>
#include <QTranslator>

namespace ironsight::console::ui {

namespace {
QString& current() {
    static QString code = QStringLiteral("en");
    return code;
}
}  // namespace

QVector<QPair<QString, QString>> availableLanguages() {
    return {{QStringLiteral("en"), QStringLiteral("English")},
            {QStringLiteral("de"), QStringLiteral("Deutsch")},
            {QStringLiteral("ja"), QStringLiteral("日本語")}};
}

bool applyLanguage(const QString& code) {
    static QTranslator* translator = nullptr;
    bool known = false;
    for (const auto& language : availableLanguages()) known = known || language.first == code;
    if (!known) return false;
    if (translator) {
        QCoreApplication::removeTranslator(translator);
        delete translator;
        translator = nullptr;
    }
    current() = QStringLiteral("en");
    if (code == QLatin1String("en")) return true;
    auto* next = new QTranslator;
    if (!next->load(QStringLiteral(":/i18n/ironsight_%1.qm").arg(code))) {
        delete next;
        return false;
    }
    QCoreApplication::installTranslator(next);
    translator = next;
    current() = code;
    return true;
}

QString currentLanguage() {
    return current();
}

}  // namespace ironsight::console::ui
