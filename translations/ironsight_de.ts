<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ironsight::console::ui::AddSensorDialog</name>
    <message>
        <source>Add sensor — Ironsight</source>
        <translation>Sensor hinzufügen — Ironsight</translation>
    </message>
    <message>
        <source>The sensor is added as pending. Its activation file (valid 7 days, single use) is what you copy to the sensor and run: ironsight-sensor activate FILE</source>
        <translation>Der Sensor wird als ausstehend angelegt. Seine Aktivierungsdatei (7 Tage gültig, einmal verwendbar) kopieren Sie auf den Sensor und führen dort aus: ironsight-sensor activate FILE</translation>
    </message>
    <message>
        <source>e.g. line1-sensor</source>
        <translation>z. B. line1-sensor</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>Standort</translation>
    </message>
    <message>
        <source>Zone</source>
        <translation>Zone</translation>
    </message>
    <message>
        <source>Sensor name</source>
        <translation>Sensorname</translation>
    </message>
    <message>
        <source>Add and save activation file…</source>
        <translation>Hinzufügen und Aktivierungsdatei speichern…</translation>
    </message>
    <message>
        <source>There is no site yet: add a site and a zone first.</source>
        <translation>Es gibt noch keinen Standort: Legen Sie zuerst einen Standort und eine Zone an.</translation>
    </message>
    <message>
        <source>Choose a site and a zone.</source>
        <translation>Wählen Sie einen Standort und eine Zone.</translation>
    </message>
    <message>
        <source>Enter a name for the sensor.</source>
        <translation>Geben Sie einen Namen für den Sensor ein.</translation>
    </message>
    <message>
        <source>Save activation file</source>
        <translation>Aktivierungsdatei speichern</translation>
    </message>
    <message>
        <source>Activation files (*.activation)</source>
        <translation>Aktivierungsdateien (*.activation)</translation>
    </message>
    <message>
        <source>No file chosen: sensor %1 was withdrawn (revoked). Add it again to get a new file.</source>
        <translation>Keine Datei gewählt: Sensor %1 wurde zurückgezogen (widerrufen). Fügen Sie ihn erneut hinzu, um eine neue Datei zu erhalten.</translation>
    </message>
    <message>
        <source>%1 (sensor withdrawn)</source>
        <translation>%1 (Sensor zurückgezogen)</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::ChangePasswordDialog</name>
    <message>
        <source>Change password — Ironsight</source>
        <translation>Passwort ändern — Ironsight</translation>
    </message>
    <message>
        <source>Your password was set by an administrator. Choose a new password before you continue.</source>
        <translation>Ihr Passwort wurde von einem Administrator gesetzt. Wählen Sie ein neues Passwort, bevor Sie fortfahren.</translation>
    </message>
    <message>
        <source>Choose a new password.</source>
        <translation>Wählen Sie ein neues Passwort.</translation>
    </message>
    <message>
        <source>At least 12 characters, not your user name, and at least 3 of: lower-case, upper-case, digits, symbols.</source>
        <translation>Mindestens 12 Zeichen, nicht Ihr Benutzername, und mindestens 3 von: Kleinbuchstaben, Großbuchstaben, Ziffern, Sonderzeichen.</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>Aktuelles Passwort</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>Neues Passwort</translation>
    </message>
    <message>
        <source>Repeat new password</source>
        <translation>Neues Passwort wiederholen</translation>
    </message>
    <message>
        <source>Change password</source>
        <translation>Passwort ändern</translation>
    </message>
    <message>
        <source>The new passwords do not match.</source>
        <translation>Die neuen Passwörter stimmen nicht überein.</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::DashboardPage</name>
    <message>
        <source>Dashboard</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>%1 open alerts · %2 devices · %3 of %4 sensors active</source>
        <translation>%1 offene Alarme · %2 Geräte · %3 von %4 Sensoren aktiv</translation>
    </message>
    <message>
        <source>Open alerts by severity</source>
        <translation>Offene Alarme nach Schweregrad</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation>Kritisch</translation>
    </message>
    <message>
        <source>Major</source>
        <translation>Hoch</translation>
    </message>
    <message>
        <source>Minor</source>
        <translation>Gering</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>Open alerts</source>
        <translation>Offene Alarme</translation>
    </message>
    <message>
        <source>Devices by type</source>
        <translation>Geräte nach Typ</translation>
    </message>
    <message>
        <source>Top protocols (devices)</source>
        <translation>Häufigste Protokolle (Geräte)</translation>
    </message>
    <message>
        <source>Sensors by status</source>
        <translation>Sensoren nach Status</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation>Widerrufen</translation>
    </message>
    <message>
        <source>Sensors by status (no sensors yet)</source>
        <translation>Sensoren nach Status (noch keine Sensoren)</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::MainWindow</name>
    <message>
        <source>Site / Zone</source>
        <translation>Standort / Zone</translation>
    </message>
    <message>
        <source>Sensors</source>
        <translation>Sensoren</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Geräte</translation>
    </message>
    <message>
        <source>Open alerts</source>
        <translation>Offene Alarme</translation>
    </message>
    <message>
        <source>Sensor</source>
        <translation>Sensor</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>Standort</translation>
    </message>
    <message>
        <source>Zone</source>
        <translation>Zone</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Zuletzt gesehen</translation>
    </message>
    <message>
        <source>Sensor id</source>
        <translation>Sensor-ID</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <source>IP addresses</source>
        <translation>IP-Adressen</translation>
    </message>
    <message>
        <source>MAC</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>Vendor</source>
        <translation>Hersteller</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Purdue</source>
        <translation>Purdue</translation>
    </message>
    <message>
        <source>Protocols</source>
        <translation>Protokolle</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>Schweregrad</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Titel</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Destination</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Sites &amp; Zones</source>
        <translation>Standorte &amp; Zonen</translation>
    </message>
    <message>
        <source>Inventory</source>
        <translation>Inventar</translation>
    </message>
    <message>
        <source>Device inventory</source>
        <translation>Geräteinventar</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Alarme</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Signed in: %1</source>
        <translation>Angemeldet: %1</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Find in page</source>
        <translation>Auf der Seite suchen</translation>
    </message>
    <message>
        <source>Dark palette</source>
        <translation>Dunkle Farbpalette</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>Add sensor…</source>
        <translation>Sensor hinzufügen…</translation>
    </message>
    <message>
        <source>Revoke…</source>
        <translation>Widerrufen…</translation>
    </message>
    <message>
        <source>Only administrators can add sensors.</source>
        <translation>Nur Administratoren können Sensoren hinzufügen.</translation>
    </message>
    <message>
        <source>Only administrators can revoke sensors.</source>
        <translation>Nur Administratoren können Sensoren widerrufen.</translation>
    </message>
    <message>
        <source>Filter… (Ctrl+F)</source>
        <translation>Filtern… (Strg+F)</translation>
    </message>
    <message>
        <source>Select a row to see its details.</source>
        <translation>Wählen Sie eine Zeile, um die Details zu sehen.</translation>
    </message>
    <message>
        <source>Sensor %1 added; activation file saved to %2</source>
        <translation>Sensor %1 hinzugefügt; Aktivierungsdatei gespeichert unter %2</translation>
    </message>
    <message>
        <source>Revoke sensor</source>
        <translation>Sensor widerrufen</translation>
    </message>
    <message>
        <source>Select the sensor to revoke first.</source>
        <translation>Wählen Sie zuerst den Sensor, der widerrufen werden soll.</translation>
    </message>
    <message>
        <source>Revoke sensor %1?</source>
        <translation>Sensor %1 widerrufen?</translation>
    </message>
    <message>
        <source>Its certificate is refused from now on and a live connection is cut within 2 seconds. This cannot be undone: to bring the sensor back, add it again and activate it with a new file.</source>
        <translation>Sein Zertifikat wird ab sofort abgelehnt und eine bestehende Verbindung wird innerhalb von 2 Sekunden getrennt. Dies kann nicht rückgängig gemacht werden: Um den Sensor zurückzuholen, fügen Sie ihn erneut hinzu und aktivieren ihn mit einer neuen Datei.</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>Widerrufen</translation>
    </message>
    <message>
        <source>Sensor %1 revoked</source>
        <translation>Sensor %1 widerrufen</translation>
    </message>
    <message>
        <source>Cannot read the console store: %1</source>
        <translation>Der Konsolenspeicher kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation>Kritisch</translation>
    </message>
    <message>
        <source>Major</source>
        <translation>Hoch</translation>
    </message>
    <message>
        <source>Minor</source>
        <translation>Gering</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>Sensors (%1)</source>
        <translation>Sensoren (%1)</translation>
    </message>
    <message>
        <source>Inventory (%1)</source>
        <translation>Inventar (%1)</translation>
    </message>
    <message>
        <source>Alerts (%1)</source>
        <translation>Alarme (%1)</translation>
    </message>
    <message>
        <source>%1 of %2 sensors active · %3 devices · %4 open alerts</source>
        <translation>%1 von %2 Sensoren aktiv · %3 Geräte · %4 offene Alarme</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::SettingsPage</name>
    <message>
        <source>Admin</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <source>Security analyst</source>
        <translation>Sicherheitsanalyst</translation>
    </message>
    <message>
        <source>Read-only</source>
        <translation>Nur Lesen</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Signed in as %1 (%2)</source>
        <translation>Angemeldet als %1 (%2)</translation>
    </message>
    <message>
        <source>Console certificate authority</source>
        <translation>Zertifizierungsstelle der Konsole</translation>
    </message>
    <message>
        <source>When a sensor is activated, it prints the fingerprint of the console CA from its activation file. Compare it with this one before you trust the sensor&apos;s connection.</source>
        <translation>Bei der Aktivierung gibt ein Sensor den Fingerabdruck der Konsolen-CA aus seiner Aktivierungsdatei aus. Vergleichen Sie ihn mit diesem, bevor Sie der Verbindung des Sensors vertrauen.</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Sensor connections</source>
        <translation>Sensorverbindungen</translation>
    </message>
    <message>
        <source>Link (sensor data, mutual TLS)</source>
        <translation>Link (Sensordaten, gegenseitiges TLS)</translation>
    </message>
    <message>
        <source>Enrollment (activation)</source>
        <translation>Registrierung (Aktivierung)</translation>
    </message>
    <message>
        <source>Activation files carry these addresses. Change them with ironsight-console admin init or --listen / --enroll-listen.</source>
        <translation>Aktivierungsdateien enthalten diese Adressen. Ändern Sie sie mit ironsight-console admin init oder --listen / --enroll-listen.</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Last sign-in</source>
        <translation>Letzte Anmeldung</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Angelegt</translation>
    </message>
    <message>
        <source>Appearance and language</source>
        <translation>Darstellung und Sprache</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>Palette</source>
        <translation>Farbpalette</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>Only administrators can see and manage users.</source>
        <translation>Nur Administratoren können Benutzer sehen und verwalten.</translation>
    </message>
    <message>
        <source>Users: %1. Add, disable or reset users with ironsight-console admin user.</source>
        <translation>Benutzer: %1. Benutzer hinzufügen, sperren oder zurücksetzen mit ironsight-console admin user.</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>gesperrt</translation>
    </message>
    <message>
        <source>locked</source>
        <translation>blockiert</translation>
    </message>
    <message>
        <source>must change password</source>
        <translation>muss Passwort ändern</translation>
    </message>
    <message>
        <source>enabled</source>
        <translation>aktiv</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::SignInDialog</name>
    <message>
        <source>Sign in — Ironsight</source>
        <translation>Anmelden — Ironsight</translation>
    </message>
    <message>
        <source>Sign in to the console.</source>
        <translation>Melden Sie sich an der Konsole an.</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>Enter your user name.</source>
        <translation>Geben Sie Ihren Benutzernamen ein.</translation>
    </message>
</context>
</TS>
