// SPDX-License-Identifier: Apache-2.0
// The UI languages (English, German, Japanese) and switching between them at run time.
#pragma once

#include <QPair>
#include <QString>
#include <QVector>

namespace ironsight::console::ui {

/// (code, native name) of every language the console ships, English first.
QVector<QPair<QString, QString>> availableLanguages();

/// Installs the compiled translation for `code` ("en" = the source strings) into the
/// application; widgets built afterwards use it. False (and English kept) when `code` is unknown.
bool applyLanguage(const QString& code);

/// The code of the language applied last ("en" at start).
QString currentLanguage();

}  // namespace ironsight::console::ui
