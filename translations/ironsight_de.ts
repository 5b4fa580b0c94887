<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>Alerts</name>
    <message>
        <source>ATT&amp;amp;CK for ICS</source>
        <translation>ATT&amp;amp;CK for ICS</translation>
    </message>
    <message>
        <source>sensor</source>
        <translation>Sensor</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>Quelle:</translation>
    </message>
    <message>
        <source>Destination:</source>
        <translation>Ziel:</translation>
    </message>
    <message>
        <source>Protocol:</source>
        <translation>Protokoll:</translation>
    </message>
    <message>
        <source>seen %1 times</source>
        <translation>%1-mal gesehen</translation>
    </message>
    <message>
        <source>first %1</source>
        <translation>zuerst %1</translation>
    </message>
    <message>
        <source>last %1</source>
        <translation>zuletzt %1</translation>
    </message>
    <message>
        <source>status %1</source>
        <translation>Status %1</translation>
    </message>
    <message>
        <source>assigned to %1</source>
        <translation>zugewiesen an %1</translation>
    </message>
    <message>
        <source>What happened / why it matters</source>
        <translation>Was geschah / warum es wichtig ist</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>Was zu tun ist</translation>
    </message>
</context>
<context>
    <name>DeviceDetail</name>
    <message>
        <source>Device %1</source>
        <translation>Gerät %1</translation>
    </message>
    <message>
        <source>criticality %1</source>
        <translation>Kritikalität %1</translation>
    </message>
    <message>
        <source>authorized</source>
        <translation>freigegeben</translation>
    </message>
    <message>
        <source>not authorized</source>
        <translation>nicht freigegeben</translation>
    </message>
    <message>
        <source>edited by %1</source>
        <translation>bearbeitet von %1</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Notizen</translation>
    </message>
    <message>
        <source>Seen by</source>
        <translation>Gesehen von</translation>
    </message>
</context>
<context>
    <name>DeviceMap</name>
    <message>
        <source>unknown type</source>
        <translation>unbekannter Typ</translation>
    </message>
    <message>
        <source>Purdue level</source>
        <translation>Purdue-Ebene</translation>
    </message>
    <message>
        <source>IP:</source>
        <translation>IP:</translation>
    </message>
    <message>
        <source>MAC:</source>
        <translation>MAC:</translation>
    </message>
    <message>
        <source>Vendor:</source>
        <translation>Hersteller:</translation>
    </message>
    <message>
        <source>Protocols:</source>
        <translation>Protokolle:</translation>
    </message>
    <message>
        <source>Open alerts: %1</source>
        <translation>Offene Alarme: %1</translation>
    </message>
    <message>
        <source>Connections: %1</source>
        <translation>Verbindungen: %1</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 T %2 h</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 (oldest %2)</source>
        <translation>%1 (älteste %2)</translation>
    </message>
    <message>
        <source>on</source>
        <translation>an</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
</context>
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
    <name>ironsight::console::ui::AlertsPage</name>
    <message>
        <source>Alerts</source>
        <translation>Alarme</translation>
    </message>
    <message>
        <source>Filter… (Ctrl+F)</source>
        <translation>Filter… (Strg+F)</translation>
    </message>
    <message>
        <source>Select a row to see its details.</source>
        <translation>Zeile auswählen, um Details zu sehen.</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>Bestätigen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>Wieder öffnen</translation>
    </message>
    <message>
        <source>Comment on the selected alert…</source>
        <translation>Kommentar zum ausgewählten Alarm…</translation>
    </message>
    <message>
        <source>Add comment</source>
        <translation>Kommentar hinzufügen</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>Kommentar</translation>
    </message>
    <message>
        <source>%1 alerts selected</source>
        <translation>%1 Alarme ausgewählt</translation>
    </message>
    <message>
        <source>Applies to all %1 selected alerts</source>
        <translation>Gilt für alle %1 ausgewählten Alarme</translation>
    </message>
    <message>
        <source>Read-only users cannot change the status of alerts.</source>
        <translation>Benutzer mit Lesezugriff können den Status von Alarmen nicht ändern.</translation>
    </message>
    <message>
        <source>Read-only users cannot comment on alerts.</source>
        <translation>Benutzer mit Lesezugriff können Alarme nicht kommentieren.</translation>
    </message>
    <message>
        <source>Comments unavailable: %1</source>
        <translation>Kommentare nicht verfügbar: %1</translation>
    </message>
    <message>
        <source>Comments</source>
        <translation>Kommentare</translation>
    </message>
    <message>
        <source>this window is read-only</source>
        <translation>dieses Fenster ist schreibgeschützt</translation>
    </message>
    <message>
        <source>select one or more alerts first</source>
        <translation>zuerst einen oder mehrere Alarme auswählen</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>bestätigt</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>geschlossen</translation>
    </message>
    <message>
        <source>reopened</source>
        <translation>wieder geöffnet</translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s) %1</source>
        <translation>
            <numerusform>%n Alarm %1</numerusform>
            <numerusform>%n Alarme %1</numerusform>
        </translation>
    </message>
    <message>
        <source>select an alert first</source>
        <translation>zuerst einen Alarm auswählen</translation>
    </message>
    <message>
        <source>the comment is empty</source>
        <translation>der Kommentar ist leer</translation>
    </message>
    <message>
        <source>Learn</source>
        <translation>Lernen</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>Stummschalten</translation>
    </message>
    <message>
        <source>Assign…</source>
        <translation>Zuweisen…</translation>
    </message>
    <message>
        <source>Export evidence…</source>
        <translation>Beweismittel exportieren…</translation>
    </message>
    <message>
        <source>Learn on the sensor that raised it: the pattern joins its baseline; closed once it confirms</source>
        <translation>Auf dem auslösenden Sensor lernen: Das Muster wird Teil seiner Baseline; geschlossen, sobald er bestätigt</translation>
    </message>
    <message>
        <source>Mute this alert type for these devices on the sensor that raised it</source>
        <translation>Diesen Alarmtyp für diese Geräte auf dem auslösenden Sensor stummschalten</translation>
    </message>
    <message>
        <source>Read-only users cannot send commands to sensors.</source>
        <translation>Benutzer mit Lesezugriff können keine Befehle an Sensoren senden.</translation>
    </message>
    <message>
        <source>Read-only users cannot assign alerts.</source>
        <translation>Benutzer mit Lesezugriff können keine Alarme zuweisen.</translation>
    </message>
    <message>
        <source>Ask the sensor that raised it for the packets it kept around the alert and save them as a pcap file</source>
        <translation>Den auslösenden Sensor nach den Paketen rund um den Alarm fragen und als pcap-Datei speichern</translation>
    </message>
    <message>
        <source>Learn sent to sensor %1</source>
        <translation>Lernen an Sensor %1 gesendet</translation>
    </message>
    <message>
        <source>Mute sent to sensor %1</source>
        <translation>Stummschalten an Sensor %1 gesendet</translation>
    </message>
    <message>
        <source>Export evidence</source>
        <translation>Beweismittel exportieren</translation>
    </message>
    <message>
        <source>Packet capture (*.pcap)</source>
        <translation>Paketmitschnitt (*.pcap)</translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s) unassigned</source>
        <translation>
            <numerusform>Zuweisung von %n Alarm aufgehoben</numerusform>
            <numerusform>Zuweisung von %n Alarmen aufgehoben</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s) assigned to %1</source>
        <translation>
            <numerusform>%n Alarm %1 zugewiesen</numerusform>
            <numerusform>%n Alarme %1 zugewiesen</numerusform>
        </translation>
    </message>
    <message>
        <source>(nobody: unassign)</source>
        <translation>(niemand: Zuweisung aufheben)</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>Zuweisen</translation>
    </message>
    <message numerus="yes">
        <source>Assign %n alert(s) to (an admin or analyst):</source>
        <translation>
            <numerusform>%n Alarm zuweisen an (Administrator oder Analyst):</numerusform>
            <numerusform>%n Alarme zuweisen an (Administrator oder Analyst):</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot read alerts: %1</source>
        <translation>Alarme können nicht gelesen werden: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s) match</source>
        <translation>
            <numerusform>%n Alarm passt</numerusform>
            <numerusform>%n Alarme passen</numerusform>
        </translation>
    </message>
    <message>
        <source>%1+ alerts match (counting…)</source>
        <translation>%1+ Alarme passen (wird gezählt…)</translation>
    </message>
    <message>
        <source>%1+ alerts match</source>
        <translation>%1+ Alarme passen</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::BackupJob</name>
    <message>
        <source>Backing up the console database…</source>
        <translation>Konsolen-Datenbank wird gesichert…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Back up</source>
        <translation>Sichern</translation>
    </message>
    <message numerus="yes">
        <source>Backed up to %1: %2, %n alert(s), schema v%3</source>
        <translation>
            <numerusform>Gesichert nach %1: %2, %n Alarm, Schema v%3</numerusform>
            <numerusform>Gesichert nach %1: %2, %n Alarme, Schema v%3</numerusform>
        </translation>
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
        <source>%1 open alerts · %2 devices · %3 of %4 sensors connected</source>
        <translation>%1 offene Alarme · %2 Geräte · %3 von %4 Sensoren verbunden</translation>
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
    <message>
        <source>Alerts over time (none yet)</source>
        <translation>Alarme im Zeitverlauf (noch keine)</translation>
    </message>
    <message>
        <source>Alerts over time by severity (last seen, %1 – %2)</source>
        <translation>Alarme im Zeitverlauf nach Schweregrad (zuletzt gesehen, %1 – %2)</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::DeviceDialog</name>
    <message>
        <source>Saving…</source>
        <translation>Speichern…</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::DeviceEditDialog</name>
    <message>
        <source>Edit device</source>
        <translation>Gerät bearbeiten</translation>
    </message>
    <message>
        <source>Device %1: %2 · %3</source>
        <translation>Gerät %1: %2 · %3</translation>
    </message>
    <message>
        <source>No name</source>
        <translation>Kein Name</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>As reported (%1)</source>
        <translation>Wie gemeldet (%1)</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Purdue level</source>
        <translation>Purdue-Ebene</translation>
    </message>
    <message>
        <source>Not set</source>
        <translation>Nicht gesetzt</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Niedrig</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>Mittel</translation>
    </message>
    <message>
        <source>High</source>
        <translation>Hoch</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation>Kritisch</translation>
    </message>
    <message>
        <source>Criticality</source>
        <translation>Kritikalität</translation>
    </message>
    <message>
        <source>Not decided</source>
        <translation>Nicht entschieden</translation>
    </message>
    <message>
        <source>Authorized</source>
        <translation>Freigegeben</translation>
    </message>
    <message>
        <source>Not authorized</source>
        <translation>Nicht freigegeben</translation>
    </message>
    <message>
        <source>Zone</source>
        <translation>Zone</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Notizen</translation>
    </message>
    <message>
        <source>From the sensor or a zone rule</source>
        <translation>Vom Sensor oder einer Zonenregel</translation>
    </message>
    <message>
        <source>From the sensor or a zone rule (%1)</source>
        <translation>Vom Sensor oder einer Zonenregel (%1)</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::DeviceMapPage</name>
    <message>
        <source>External hosts</source>
        <translation>Externe Hosts</translation>
    </message>
    <message>
        <source>Level 5 · Enterprise</source>
        <translation>Ebene 5 · Unternehmen</translation>
    </message>
    <message>
        <source>Level 4 · Business IT</source>
        <translation>Ebene 4 · Geschäfts-IT</translation>
    </message>
    <message>
        <source>Level 3 · Operations</source>
        <translation>Ebene 3 · Betrieb</translation>
    </message>
    <message>
        <source>Level 2 · Supervisory</source>
        <translation>Ebene 2 · Leitebene</translation>
    </message>
    <message>
        <source>Level 1 · Control</source>
        <translation>Ebene 1 · Steuerung</translation>
    </message>
    <message>
        <source>Level 0 · Process</source>
        <translation>Ebene 0 · Prozess</translation>
    </message>
    <message>
        <source>Level unknown</source>
        <translation>Ebene unbekannt</translation>
    </message>
    <message>
        <source>PLC</source>
        <translation>SPS</translation>
    </message>
    <message>
        <source>RTU</source>
        <translation>RTU</translation>
    </message>
    <message>
        <source>HMI</source>
        <translation>HMI</translation>
    </message>
    <message>
        <source>Engineering workstation</source>
        <translation>Engineering-Station</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Switch / router</source>
        <translation>Switch / Router</translation>
    </message>
    <message>
        <source>Workstation</source>
        <translation>Arbeitsplatz</translation>
    </message>
    <message>
        <source>External</source>
        <translation>Extern</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Unbekannt</translation>
    </message>
    <message>
        <source>%1 %2/%3 · %4 packets · %5 bytes</source>
        <translation>%1 %2/%3 · %4 Pakete · %5 Bytes</translation>
    </message>
    <message>
        <source>Device map</source>
        <translation>Gerätekarte</translation>
    </message>
    <message>
        <source>Find device, IP, MAC… (Enter: next)</source>
        <translation>Gerät, IP, MAC suchen… (Enter: nächstes)</translation>
    </message>
    <message>
        <source>All device types</source>
        <translation>Alle Gerätetypen</translation>
    </message>
    <message>
        <source>Only devices with open alerts</source>
        <translation>Nur Geräte mit offenen Alarmen</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>Show the whole map (wheel: zoom, drag: pan)</source>
        <translation>Ganze Karte zeigen (Mausrad: Zoom, Ziehen: Verschieben)</translation>
    </message>
    <message>
        <source>Export PNG…</source>
        <translation>PNG exportieren…</translation>
    </message>
    <message>
        <source>Export SVG…</source>
        <translation>SVG exportieren…</translation>
    </message>
    <message>
        <source>Protocol:</source>
        <translation>Protokoll:</translation>
    </message>
    <message>
        <source>Zone:</source>
        <translation>Zone:</translation>
    </message>
    <message>
        <source>Type:</source>
        <translation>Typ:</translation>
    </message>
    <message>
        <source>Click a device to see its details.</source>
        <translation>Gerät anklicken, um Details zu sehen.</translation>
    </message>
    <message>
        <source>No device matches “%1”</source>
        <translation>Kein Gerät passt zu „%1“</translation>
    </message>
    <message>
        <source>No devices yet</source>
        <translation>Noch keine Geräte</translation>
    </message>
    <message>
        <source>Laying out %1 devices…</source>
        <translation>Ordne %1 Geräte an…</translation>
    </message>
    <message>
        <source>Cannot lay out the map: %1</source>
        <translation>Karte kann nicht angeordnet werden: %1</translation>
    </message>
    <message>
        <source>%1 devices · %2 connections · laid out in %3 ms (%4 zones, %5 from cache)</source>
        <translation>%1 Geräte · %2 Verbindungen · angeordnet in %3 ms (%4 Zonen, %5 aus dem Cache)</translation>
    </message>
    <message>
        <source>Connections by protocol</source>
        <translation>Verbindungen nach Protokoll</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>noch keine</translation>
    </message>
    <message>
        <source>Line width: traffic (bytes, log scale)</source>
        <translation>Linienbreite: Verkehr (Bytes, logarithmisch)</translation>
    </message>
    <message>
        <source>Ring and badge: open alerts (▲ critical ■ major ● minor ○ warning)</source>
        <translation>Ring und Marke: offene Alarme (▲ kritisch ■ hoch ● mittel ○ Warnung)</translation>
    </message>
    <message>
        <source>Device types</source>
        <translation>Gerätetypen</translation>
    </message>
    <message>
        <source>All protocols</source>
        <translation>Alle Protokolle</translation>
    </message>
    <message>
        <source>All zones</source>
        <translation>Alle Zonen</translation>
    </message>
    <message>
        <source>the map is empty</source>
        <translation>die Karte ist leer</translation>
    </message>
    <message>
        <source>not enough memory for a %1 × %2 image</source>
        <translation>nicht genug Speicher für ein Bild mit %1 × %2</translation>
    </message>
    <message>
        <source>cannot write %1</source>
        <translation>%1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <source>Ironsight device map</source>
        <translation>Ironsight-Gerätekarte</translation>
    </message>
    <message>
        <source>%1 devices, %2 connections</source>
        <translation>%1 Geräte, %2 Verbindungen</translation>
    </message>
    <message>
        <source>SVG image (*.svg)</source>
        <translation>SVG-Bild (*.svg)</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG-Bild (*.png)</translation>
    </message>
    <message>
        <source>Export map as SVG</source>
        <translation>Karte als SVG exportieren</translation>
    </message>
    <message>
        <source>Export map as PNG</source>
        <translation>Karte als PNG exportieren</translation>
    </message>
    <message>
        <source>Export map</source>
        <translation>Karte exportieren</translation>
    </message>
    <message>
        <source>Map exported to %1</source>
        <translation>Karte exportiert nach %1</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::DeviceMergeDialog</name>
    <message>
        <source>Merge device</source>
        <translation>Gerät zusammenführen</translation>
    </message>
    <message>
        <source>Merge %1 into the device chosen below (same site: %2). Its observations move to that device, which keeps its own edits; %1 is then gone. Split undoes it.</source>
        <translation>%1 mit dem unten gewählten Gerät zusammenführen (gleicher Standort: %2). Seine Beobachtungen gehen an dieses Gerät, das seine eigenen Bearbeitungen behält; %1 verschwindet danach. Abtrennen macht es rückgängig.</translation>
    </message>
    <message>
        <source>Search devices of %1…</source>
        <translation>Geräte von %1 suchen…</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>Zusammenführen</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 (device %4)</source>
        <translation>%1 · %2 · %3 (Gerät %4)</translation>
    </message>
    <message>
        <source>unknown type</source>
        <translation>unbekannter Typ</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::DeviceSplitDialog</name>
    <message>
        <source>Split observation</source>
        <translation>Beobachtung abtrennen</translation>
    </message>
    <message>
        <source>%1 is seen by these sensors. The observation chosen below becomes a device of its own, without edits; %1 keeps its edits.</source>
        <translation>%1 wird von diesen Sensoren gesehen. Die unten gewählte Beobachtung wird ein eigenes Gerät ohne Bearbeitungen; %1 behält seine Bearbeitungen.</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>Abtrennen</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::EvidenceExport</name>
    <message>
        <source>Looking for the evidence…</source>
        <translation>Beweismittel werden gesucht…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Export evidence</source>
        <translation>Beweismittel exportieren</translation>
    </message>
    <message>
        <source>Asking sensor %1…</source>
        <translation>Sensor %1 wird angefragt…</translation>
    </message>
    <message>
        <source>Cancelled; the request to sensor %1 stays queued.</source>
        <translation>Abgebrochen; die Anfrage an Sensor %1 bleibt in der Warteschlange.</translation>
    </message>
    <message>
        <source>Sensor %1 is %2: the request stays queued and is sent when it connects. Export again later.</source>
        <translation>Sensor %1 ist %2: Die Anfrage bleibt in der Warteschlange und wird gesendet, sobald er sich verbindet. Später erneut exportieren.</translation>
    </message>
    <message>
        <source>No answer from sensor %1 within %2 s: the request stays queued. Export again later.</source>
        <translation>Keine Antwort von Sensor %1 innerhalb von %2 s: Die Anfrage bleibt in der Warteschlange. Später erneut exportieren.</translation>
    </message>
    <message>
        <source>Waiting for the sensor&apos;s answer…</source>
        <translation>Warten auf die Antwort des Sensors…</translation>
    </message>
    <message>
        <source>Sensor %1: %2</source>
        <translation>Sensor %1: %2</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %1 (%n byte(s) of packets from sensor %2).</source>
        <translation>
            <numerusform>%1 geschrieben (%n Byte Pakete von Sensor %2).</numerusform>
            <numerusform>%1 geschrieben (%n Byte Pakete von Sensor %2).</numerusform>
        </translation>
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
        <source>%1 of %2 sensors connected · %3 devices · %4 open alerts</source>
        <translation>%1 von %2 Sensoren verbunden · %3 Geräte · %4 offene Alarme</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>Karte</translation>
    </message>
    <message>
        <source>Packets/s</source>
        <translation>Pakete/s</translation>
    </message>
    <message>
        <source>Drops</source>
        <translation>Verluste</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>Outbox</source>
        <translation>Ausgang</translation>
    </message>
    <message>
        <source>Learning</source>
        <translation>Lernmodus</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <source>Clock skew</source>
        <translation>Uhrabweichung</translation>
    </message>
    <message>
        <source>Assigned to</source>
        <translation>Zugewiesen an</translation>
    </message>
    <message>
        <source>Learning on</source>
        <translation>Lernmodus an</translation>
    </message>
    <message>
        <source>Learning off</source>
        <translation>Lernmodus aus</translation>
    </message>
    <message>
        <source>Switch the selected sensor&apos;s learning mode (sent when it is connected)</source>
        <translation>Lernmodus des ausgewählten Sensors umschalten (gesendet, sobald er verbunden ist)</translation>
    </message>
    <message>
        <source>Read-only users cannot send commands to sensors.</source>
        <translation>Benutzer mit Lesezugriff können keine Befehle an Sensoren senden.</translation>
    </message>
    <message>
        <source>Learning mode</source>
        <translation>Lernmodus</translation>
    </message>
    <message>
        <source>Select a sensor first.</source>
        <translation>Zuerst einen Sensor auswählen.</translation>
    </message>
    <message>
        <source>Learning on sent to sensor %1</source>
        <translation>Lernmodus an an Sensor %1 gesendet</translation>
    </message>
    <message>
        <source>Learning off sent to sensor %1</source>
        <translation>Lernmodus aus an Sensor %1 gesendet</translation>
    </message>
    <message>
        <source>Export report…</source>
        <translation>Bericht exportieren…</translation>
    </message>
    <message>
        <source>Write the rows that match the filter as a PDF or CSV report</source>
        <translation>Die Zeilen, die zum Filter passen, als PDF- oder CSV-Bericht schreiben</translation>
    </message>
    <message>
        <source>Push settings…</source>
        <translation>Einstellungen senden…</translation>
    </message>
    <message>
        <source>Capture filter, port aliases, ICS subnets, VLAN names and DHCP ranges for the selected sensor</source>
        <translation>Mitschnittfilter, Port-Aliase, ICS-Subnetze, VLAN-Namen und DHCP-Bereiche für den ausgewählten Sensor</translation>
    </message>
    <message>
        <source>Renew certificate</source>
        <translation>Zertifikat erneuern</translation>
    </message>
    <message>
        <source>The selected sensor makes a new key and gets a new certificate over its link</source>
        <translation>Der ausgewählte Sensor erzeugt einen neuen Schlüssel und erhält über seine Verbindung ein neues Zertifikat</translation>
    </message>
    <message>
        <source>Push settings</source>
        <translation>Einstellungen senden</translation>
    </message>
    <message>
        <source># Settings for sensor %1 (docs/SENSOR_CONFIG.md, &quot;console push&quot;).
# [network]
# ics_subnets = [&quot;10.20.0.0/16&quot;]
# vlan_names = [&quot;20=PLC floor&quot;]
# dhcp_ranges = [&quot;10.1.2.100-10.1.2.199&quot;]
</source>
        <translation># Einstellungen für Sensor %1 (docs/SENSOR_CONFIG.md, &quot;console push&quot;).
# [network]
# ics_subnets = [&quot;10.20.0.0/16&quot;]
# vlan_names = [&quot;20=PLC floor&quot;]
# dhcp_ranges = [&quot;10.1.2.100-10.1.2.199&quot;]
</translation>
    </message>
    <message>
        <source>Push settings to %1</source>
        <translation>Einstellungen an %1 senden</translation>
    </message>
    <message>
        <source>These settings replace the ones pushed before and win over the sensor&apos;s own file. Leave only comments to withdraw them.</source>
        <translation>Diese Einstellungen ersetzen die zuvor gesendeten und haben Vorrang vor der eigenen Datei des Sensors. Nur Kommentare stehen lassen, um sie zurückzuziehen.</translation>
    </message>
    <message>
        <source>Push</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Settings sent to sensor %1; it answers what it applied (admin command list)</source>
        <translation>Einstellungen an Sensor %1 gesendet; er antwortet, was er übernommen hat (admin command list)</translation>
    </message>
    <message>
        <source>Certificate renewal sent to sensor %1</source>
        <translation>Zertifikatserneuerung an Sensor %1 gesendet</translation>
    </message>
    <message>
        <source>Cannot read: %1</source>
        <translation>Lesen nicht möglich: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n match(es)</source>
        <translation>
            <numerusform>%n Treffer</numerusform>
            <numerusform>%n Treffer</numerusform>
        </translation>
    </message>
    <message>
        <source>%1+ matches</source>
        <translation>%1+ Treffer</translation>
    </message>
    <message>
        <source>Edit device…</source>
        <translation>Gerät bearbeiten…</translation>
    </message>
    <message>
        <source>Name, type, Purdue level, criticality, authorized, notes and zone of the selected device</source>
        <translation>Name, Typ, Purdue-Ebene, Kritikalität, Freigabe, Notizen und Zone des ausgewählten Geräts</translation>
    </message>
    <message>
        <source>Merge into…</source>
        <translation>Zusammenführen mit…</translation>
    </message>
    <message>
        <source>Merge the selected device into another device of its site</source>
        <translation>Das ausgewählte Gerät mit einem anderen Gerät seines Standorts zusammenführen</translation>
    </message>
    <message>
        <source>Split observation…</source>
        <translation>Beobachtung abtrennen…</translation>
    </message>
    <message>
        <source>Make one sensor&apos;s observation of the selected device a device of its own</source>
        <translation>Die Beobachtung eines Sensors vom ausgewählten Gerät zu einem eigenen Gerät machen</translation>
    </message>
    <message>
        <source>Read-only users cannot edit devices.</source>
        <translation>Benutzer mit Lesezugriff können keine Geräte bearbeiten.</translation>
    </message>
    <message>
        <source>Select a device first.</source>
        <translation>Zuerst ein Gerät auswählen.</translation>
    </message>
    <message>
        <source>Edit device</source>
        <translation>Gerät bearbeiten</translation>
    </message>
    <message>
        <source>Device %1 (%2) saved</source>
        <translation>Gerät %1 (%2) gespeichert</translation>
    </message>
    <message>
        <source>Merge device</source>
        <translation>Gerät zusammenführen</translation>
    </message>
    <message>
        <source>Device %1 (%2) merged into device %3</source>
        <translation>Gerät %1 (%2) mit Gerät %3 zusammengeführt</translation>
    </message>
    <message>
        <source>Split observation</source>
        <translation>Beobachtung abtrennen</translation>
    </message>
    <message>
        <source>%1 is seen by one sensor only: there is no observation to split off.</source>
        <translation>%1 wird nur von einem Sensor gesehen: Es gibt keine Beobachtung zum Abtrennen.</translation>
    </message>
    <message>
        <source>An observation of device %1 is now device %2</source>
        <translation>Eine Beobachtung von Gerät %1 ist jetzt Gerät %2</translation>
    </message>
    <message>
        <source>Not restored: %1</source>
        <translation>Nicht wiederhergestellt: %1</translation>
    </message>
    <message>
        <source>Checking the backup %1…</source>
        <translation>Sicherung %1 wird geprüft…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <source>Restore cancelled; nothing was changed.</source>
        <translation>Wiederherstellung abgebrochen; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Replace the console&apos;s data with the backup %1?</source>
        <translation>Die Daten der Konsole durch die Sicherung %1 ersetzen?</translation>
    </message>
    <message>
        <source>The backup holds %1 devices, %2 alerts and %3 audit records (schema v%4). Everything the console recorded since it was made is replaced: devices, alerts, users and the audit log. The current database is kept as console.db.bak. The console closes its data while it restores; sign in again afterwards.</source>
        <translation>Die Sicherung enthält %1 Geräte, %2 Alarme und %3 Audit-Einträge (Schema v%4). Alles, was die Konsole seit ihrer Erstellung aufgezeichnet hat, wird ersetzt: Geräte, Alarme, Benutzer und das Audit-Protokoll. Die aktuelle Datenbank bleibt als console.db.bak erhalten. Die Konsole schließt ihre Daten während der Wiederherstellung; melden Sie sich danach erneut an.</translation>
    </message>
    <message>
        <source>Restoring the console database…</source>
        <translation>Die Konsolen-Datenbank wird wiederhergestellt…</translation>
    </message>
    <message>
        <source>Restoring the console database from %1…</source>
        <translation>Die Konsolen-Datenbank wird aus %1 wiederhergestellt…</translation>
    </message>
    <message>
        <source>Restoring…</source>
        <translation>Wiederherstellung läuft…</translation>
    </message>
    <message>
        <source>Restored %1: %2 devices, %3 alerts (schema v%4).</source>
        <translation>%1 wiederhergestellt: %2 Geräte, %3 Alarme (Schema v%4).</translation>
    </message>
    <message>
        <source>The previous database is kept as %1.</source>
        <translation>Die vorherige Datenbank bleibt als %1 erhalten.</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::ReportExport</name>
    <message>
        <source>Writing the report…</source>
        <translation>Bericht wird geschrieben…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>Bericht exportieren</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n row(s) to %1</source>
        <translation>
            <numerusform>%n Zeile nach %1 geschrieben</numerusform>
            <numerusform>%n Zeilen nach %1 geschrieben</numerusform>
        </translation>
    </message>
    <message>
        <source>PDF report (*.pdf);;CSV spreadsheet (*.csv)</source>
        <translation>PDF-Bericht (*.pdf);;CSV-Tabelle (*.csv)</translation>
    </message>
    <message>
        <source>The report was not written: %1</source>
        <translation>Der Bericht wurde nicht geschrieben: %1</translation>
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
    <message>
        <source>Backup</source>
        <translation>Sicherung</translation>
    </message>
    <message>
        <source>Back up…</source>
        <translation>Sichern…</translation>
    </message>
    <message>
        <source>Only administrators can back up the console.</source>
        <translation>Nur Administratoren können die Konsole sichern.</translation>
    </message>
    <message>
        <source>Back up</source>
        <translation>Sichern</translation>
    </message>
    <message>
        <source>Console backup (*.db)</source>
        <translation>Konsolen-Sicherung (*.db)</translation>
    </message>
    <message>
        <source>No backup was written: %1</source>
        <translation>Es wurde keine Sicherung geschrieben: %1</translation>
    </message>
    <message>
        <source>Backup cancelled; no file was written.</source>
        <translation>Sicherung abgebrochen; es wurde keine Datei geschrieben.</translation>
    </message>
    <message>
        <source>A verified copy of the console database (devices, alerts, users, audit log). Restore replaces the console&apos;s data with such a copy; keep the data directory&apos;s pki/ folder with your backups.</source>
        <translation>Eine geprüfte Kopie der Konsolen-Datenbank (Geräte, Alarme, Benutzer, Audit-Protokoll). Wiederherstellen ersetzt die Daten der Konsole durch eine solche Kopie; bewahren Sie den Ordner pki/ des Datenverzeichnisses mit Ihren Sicherungen auf.</translation>
    </message>
    <message>
        <source>Restore…</source>
        <translation>Wiederherstellen…</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <source>Console backup (*.db);;All files (*)</source>
        <translation>Konsolen-Sicherung (*.db);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Only administrators can restore the console.</source>
        <translation>Nur Administratoren können die Konsole wiederherstellen.</translation>
    </message>
    <message>
        <source>Restore with ironsight-console admin restore while the console is stopped.</source>
        <translation>Mit ironsight-console admin restore wiederherstellen, während die Konsole gestoppt ist.</translation>
    </message>
    <message>
        <source>Replace the console&apos;s data with a backup file</source>
        <translation>Die Daten der Konsole durch eine Sicherungsdatei ersetzen</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::SetupWizard</name>
    <message>
        <source>Set up the Ironsight console</source>
        <translation>Ironsight-Konsole einrichten</translation>
    </message>
    <message>
        <source>Administrator account</source>
        <translation>Administratorkonto</translation>
    </message>
    <message>
        <source>This account manages users, sites, sensors and certificates.</source>
        <translation>Dieses Konto verwaltet Benutzer, Standorte, Sensoren und Zertifikate.</translation>
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
        <source>Confirm password</source>
        <translation>Passwort bestätigen</translation>
    </message>
    <message>
        <source>At least 12 characters, not the user name, and at least three of: lower-case letters, upper-case letters, digits, other characters.</source>
        <translation>Mindestens 12 Zeichen, nicht der Benutzername, und mindestens drei von: Kleinbuchstaben, Großbuchstaben, Ziffern, andere Zeichen.</translation>
    </message>
    <message>
        <source>Enter a user name.</source>
        <translation>Geben Sie einen Benutzernamen ein.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Die beiden Passwörter stimmen nicht überein.</translation>
    </message>
    <message>
        <source>Sensor connections</source>
        <translation>Sensorverbindungen</translation>
    </message>
    <message>
        <source>Where the console listens for its sensors.</source>
        <translation>Wo die Konsole auf ihre Sensoren wartet.</translation>
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
        <source>HOST:PORT. Use an address your sensors can reach (0.0.0.0 listens on every interface). Activation files carry these addresses; the enrollment port is open only while an activation is pending.</source>
        <translation>HOST:PORT. Verwenden Sie eine Adresse, die Ihre Sensoren erreichen (0.0.0.0 lauscht auf allen Schnittstellen). Aktivierungsdateien enthalten diese Adressen; der Registrierungsport ist nur offen, solange eine Aktivierung aussteht.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not HOST:PORT with a port from 1 to 65535.</source>
        <translation>„%1“ ist nicht HOST:PORT mit einem Port von 1 bis 65535.</translation>
    </message>
    <message>
        <source>The link and enrollment listeners need different ports.</source>
        <translation>Link und Registrierung brauchen verschiedene Ports.</translation>
    </message>
    <message>
        <source>Console certificate</source>
        <translation>Konsolenzertifikat</translation>
    </message>
    <message>
        <source>The certificate sensors check when they connect to the console.</source>
        <translation>Das Zertifikat, das Sensoren beim Verbinden mit der Konsole prüfen.</translation>
    </message>
    <message>
        <source>Generate a certificate authority and certificate (recommended)</source>
        <translation>Zertifizierungsstelle und Zertifikat erzeugen (empfohlen)</translation>
    </message>
    <message>
        <source>Import a certificate signed by your certificate authority</source>
        <translation>Ein von Ihrer Zertifizierungsstelle signiertes Zertifikat importieren</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Private key (PEM)</source>
        <translation>Privater Schlüssel (PEM)</translation>
    </message>
    <message>
        <source>Certificate (PEM)</source>
        <translation>Zertifikat (PEM)</translation>
    </message>
    <message>
        <source>CA chain up to the root (PEM)</source>
        <translation>CA-Kette bis zur Wurzel (PEM)</translation>
    </message>
    <message>
        <source>Key passphrase (if encrypted)</source>
        <translation>Passphrase des Schlüssels (falls verschlüsselt)</translation>
    </message>
    <message>
        <source>The console creates its own certificate authority. Sensors trust it through their activation files.</source>
        <translation>Die Konsole erzeugt ihre eigene Zertifizierungsstelle. Sensoren vertrauen ihr über ihre Aktivierungsdateien.</translation>
    </message>
    <message>
        <source>The certificate must name console.ironsight (the name sensors check). Sensors activated from now on also trust your root CA; the console&apos;s own certificate authority still issues every sensor certificate.</source>
        <translation>Das Zertifikat muss den Namen console.ironsight enthalten (den Namen, den Sensoren prüfen). Ab jetzt aktivierte Sensoren vertrauen zusätzlich Ihrer Wurzel-CA; die eigene Zertifizierungsstelle der Konsole stellt weiterhin alle Sensorzertifikate aus.</translation>
    </message>
    <message>
        <source>Choose the %1 file.</source>
        <translation>Wählen Sie die Datei: %1.</translation>
    </message>
    <message>
        <source>Cannot read %1.</source>
        <translation>%1 kann nicht gelesen werden.</translation>
    </message>
    <message>
        <source>private key</source>
        <translation>privater Schlüssel</translation>
    </message>
    <message>
        <source>certificate</source>
        <translation>Zertifikat</translation>
    </message>
    <message>
        <source>chain</source>
        <translation>CA-Kette</translation>
    </message>
    <message>
        <source>Console ready</source>
        <translation>Konsole bereit</translation>
    </message>
    <message>
        <source>Fingerprint (SHA-256) of the console certificate authority. When a sensor is activated it prints this fingerprint: compare the two.</source>
        <translation>Fingerabdruck (SHA-256) der Zertifizierungsstelle der Konsole. Ein Sensor gibt diesen Fingerabdruck bei der Aktivierung aus: Vergleichen Sie beide.</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Setting up the console in %1…</source>
        <translation>Konsole wird in %1 eingerichtet…</translation>
    </message>
    <message>
        <source>Setup failed: %1. Go back to change your choices.</source>
        <translation>Einrichtung fehlgeschlagen: %1. Gehen Sie zurück, um Ihre Angaben zu ändern.</translation>
    </message>
    <message>
        <source>Link certificate: imported, %1, valid until %2.</source>
        <translation>Link-Zertifikat: importiert, %1, gültig bis %2.</translation>
    </message>
    <message>
        <source>Link certificate: issued by the console certificate authority, valid until %1.</source>
        <translation>Link-Zertifikat: von der Zertifizierungsstelle der Konsole ausgestellt, gültig bis %1.</translation>
    </message>
    <message>
        <source>What to do next</source>
        <translation>Nächste Schritte</translation>
    </message>
    <message>
        <source>Start the ingest server so sensors can connect: ironsight-console --headless --data-dir %1 (or the ironsight-console-headless service).</source>
        <translation>Starten Sie den Empfangsserver, damit sich Sensoren verbinden können: ironsight-console --headless --data-dir %1 (oder den Dienst ironsight-console-headless).</translation>
    </message>
    <message>
        <source>Add a sensor: Sensors page, Add sensor…, then save its activation file.</source>
        <translation>Fügen Sie einen Sensor hinzu: Seite Sensoren, Sensor hinzufügen…, dann seine Aktivierungsdatei speichern.</translation>
    </message>
    <message>
        <source>Copy the file to the sensor and run ironsight-sensor activate FILE there; check that the fingerprint it prints is the one above.</source>
        <translation>Kopieren Sie die Datei auf den Sensor und führen Sie dort ironsight-sensor activate DATEI aus; prüfen Sie, dass der ausgegebene Fingerabdruck dem obigen entspricht.</translation>
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
