<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>Alerts</name>
    <message>
        <source>ATT&amp;amp;CK for ICS</source>
        <translation>ATT&amp;amp;CK for ICS</translation>
    </message>
    <message>
        <source>sensor</source>
        <translation>センサー</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>送信元:</translation>
    </message>
    <message>
        <source>Destination:</source>
        <translation>宛先:</translation>
    </message>
    <message>
        <source>Protocol:</source>
        <translation>プロトコル:</translation>
    </message>
    <message>
        <source>seen %1 times</source>
        <translation>%1 回検知</translation>
    </message>
    <message>
        <source>first %1</source>
        <translation>初回 %1</translation>
    </message>
    <message>
        <source>last %1</source>
        <translation>最終 %1</translation>
    </message>
    <message>
        <source>status %1</source>
        <translation>状態 %1</translation>
    </message>
    <message>
        <source>assigned to %1</source>
        <translation>担当 %1</translation>
    </message>
    <message>
        <source>What happened / why it matters</source>
        <translation>何が起きたか / なぜ重要か</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>対処方法</translation>
    </message>
</context>
<context>
    <name>DeviceDetail</name>
    <message>
        <source>Device %1</source>
        <translation>デバイス %1</translation>
    </message>
    <message>
        <source>criticality %1</source>
        <translation>重要度 %1</translation>
    </message>
    <message>
        <source>authorized</source>
        <translation>許可済み</translation>
    </message>
    <message>
        <source>not authorized</source>
        <translation>未許可</translation>
    </message>
    <message>
        <source>edited by %1</source>
        <translation>編集者 %1</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>Seen by</source>
        <translation>観測センサー</translation>
    </message>
</context>
<context>
    <name>DeviceMap</name>
    <message>
        <source>unknown type</source>
        <translation>種別不明</translation>
    </message>
    <message>
        <source>Purdue level</source>
        <translation>Purdue レベル</translation>
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
        <translation>ベンダー:</translation>
    </message>
    <message>
        <source>Protocols:</source>
        <translation>プロトコル:</translation>
    </message>
    <message>
        <source>Open alerts: %1</source>
        <translation>未解決アラート: %1</translation>
    </message>
    <message>
        <source>Connections: %1</source>
        <translation>接続: %1</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 日 %2 時間</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 時間 %2 分</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分</translation>
    </message>
    <message>
        <source>%1 (oldest %2)</source>
        <translation>%1 (最古 %2)</translation>
    </message>
    <message>
        <source>on</source>
        <translation>オン</translation>
    </message>
    <message>
        <source>off</source>
        <translation>オフ</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::AddSensorDialog</name>
    <message>
        <source>Add sensor — Ironsight</source>
        <translation>センサーの追加 — Ironsight</translation>
    </message>
    <message>
        <source>The sensor is added as pending. Its activation file (valid 7 days, single use) is what you copy to the sensor and run: ironsight-sensor activate FILE</source>
        <translation>センサーは保留状態で追加されます。アクティベーションファイル（有効期間 7 日、1 回のみ使用可）をセンサーにコピーし、次を実行してください: ironsight-sensor activate FILE</translation>
    </message>
    <message>
        <source>e.g. line1-sensor</source>
        <translation>例: line1-sensor</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>サイト</translation>
    </message>
    <message>
        <source>Zone</source>
        <translation>ゾーン</translation>
    </message>
    <message>
        <source>Sensor name</source>
        <translation>センサー名</translation>
    </message>
    <message>
        <source>Add and save activation file…</source>
        <translation>追加してアクティベーションファイルを保存…</translation>
    </message>
    <message>
        <source>There is no site yet: add a site and a zone first.</source>
        <translation>サイトがまだありません。先にサイトとゾーンを追加してください。</translation>
    </message>
    <message>
        <source>Choose a site and a zone.</source>
        <translation>サイトとゾーンを選択してください。</translation>
    </message>
    <message>
        <source>Enter a name for the sensor.</source>
        <translation>センサーの名前を入力してください。</translation>
    </message>
    <message>
        <source>Save activation file</source>
        <translation>アクティベーションファイルの保存</translation>
    </message>
    <message>
        <source>Activation files (*.activation)</source>
        <translation>アクティベーションファイル (*.activation)</translation>
    </message>
    <message>
        <source>No file chosen: sensor %1 was withdrawn (revoked). Add it again to get a new file.</source>
        <translation>ファイルが選択されませんでした。センサー %1 は取り消されました（失効）。新しいファイルを得るには再度追加してください。</translation>
    </message>
    <message>
        <source>%1 (sensor withdrawn)</source>
        <translation>%1（センサーは取り消されました）</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::AlertsPage</name>
    <message>
        <source>Alerts</source>
        <translation>アラート</translation>
    </message>
    <message>
        <source>Filter… (Ctrl+F)</source>
        <translation>フィルター… (Ctrl+F)</translation>
    </message>
    <message>
        <source>Select a row to see its details.</source>
        <translation>行を選択すると詳細が表示されます。</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>確認</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>クローズ</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>再オープン</translation>
    </message>
    <message>
        <source>Comment on the selected alert…</source>
        <translation>選択したアラートへのコメント…</translation>
    </message>
    <message>
        <source>Add comment</source>
        <translation>コメント追加</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>コメント</translation>
    </message>
    <message>
        <source>%1 alerts selected</source>
        <translation>%1 件のアラートを選択</translation>
    </message>
    <message>
        <source>Applies to all %1 selected alerts</source>
        <translation>選択した %1 件すべてに適用</translation>
    </message>
    <message>
        <source>Read-only users cannot change the status of alerts.</source>
        <translation>読み取り専用ユーザーはアラートの状態を変更できません。</translation>
    </message>
    <message>
        <source>Read-only users cannot comment on alerts.</source>
        <translation>読み取り専用ユーザーはアラートにコメントできません。</translation>
    </message>
    <message>
        <source>Comments unavailable: %1</source>
        <translation>コメントを取得できません: %1</translation>
    </message>
    <message>
        <source>Comments</source>
        <translation>コメント</translation>
    </message>
    <message>
        <source>this window is read-only</source>
        <translation>このウィンドウは読み取り専用です</translation>
    </message>
    <message>
        <source>select one or more alerts first</source>
        <translation>先にアラートを選択してください</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>確認済み</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>クローズ済み</translation>
    </message>
    <message>
        <source>reopened</source>
        <translation>再オープン済み</translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s) %1</source>
        <translation>
            <numerusform>%n 件のアラートを%1</numerusform>
        </translation>
    </message>
    <message>
        <source>select an alert first</source>
        <translation>先にアラートを選択してください</translation>
    </message>
    <message>
        <source>the comment is empty</source>
        <translation>コメントが空です</translation>
    </message>
    <message>
        <source>Learn</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>ミュート</translation>
    </message>
    <message>
        <source>Assign…</source>
        <translation>割り当て…</translation>
    </message>
    <message>
        <source>Export evidence…</source>
        <translation>証拠をエクスポート…</translation>
    </message>
    <message>
        <source>Learn on the sensor that raised it: the pattern joins its baseline; closed once it confirms</source>
        <translation>発生元のセンサーで学習: このパターンはベースラインに加わり、センサーの確認後にクローズされます</translation>
    </message>
    <message>
        <source>Mute this alert type for these devices on the sensor that raised it</source>
        <translation>発生元のセンサーで、これらのデバイスのこのアラート種別をミュートします</translation>
    </message>
    <message>
        <source>Read-only users cannot send commands to sensors.</source>
        <translation>読み取り専用ユーザーはセンサーにコマンドを送信できません。</translation>
    </message>
    <message>
        <source>Read-only users cannot assign alerts.</source>
        <translation>読み取り専用ユーザーはアラートを割り当てられません。</translation>
    </message>
    <message>
        <source>Ask the sensor that raised it for the packets it kept around the alert and save them as a pcap file</source>
        <translation>発生元のセンサーにアラート前後の保存パケットを要求し、pcap ファイルとして保存します</translation>
    </message>
    <message>
        <source>Learn sent to sensor %1</source>
        <translation>センサー %1 に学習を送信しました</translation>
    </message>
    <message>
        <source>Mute sent to sensor %1</source>
        <translation>センサー %1 にミュートを送信しました</translation>
    </message>
    <message>
        <source>Export evidence</source>
        <translation>証拠のエクスポート</translation>
    </message>
    <message>
        <source>Packet capture (*.pcap)</source>
        <translation>パケットキャプチャ (*.pcap)</translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s) unassigned</source>
        <translation>
            <numerusform>%n 件のアラートの割り当てを解除しました</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s) assigned to %1</source>
        <translation>
            <numerusform>%n 件のアラートを %1 に割り当てました</numerusform>
        </translation>
    </message>
    <message>
        <source>(nobody: unassign)</source>
        <translation>(なし: 割り当て解除)</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>割り当て</translation>
    </message>
    <message numerus="yes">
        <source>Assign %n alert(s) to (an admin or analyst):</source>
        <translation>
            <numerusform>%n 件のアラートの割り当て先 (管理者またはアナリスト):</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot read alerts: %1</source>
        <translation>アラートを読み込めません: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s) match</source>
        <translation>
            <numerusform>%n 件のアラートが一致</numerusform>
        </translation>
    </message>
    <message>
        <source>%1+ alerts match (counting…)</source>
        <translation>%1 件以上のアラートが一致（集計中…）</translation>
    </message>
    <message>
        <source>%1+ alerts match</source>
        <translation>%1 件以上のアラートが一致</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::BackupJob</name>
    <message>
        <source>Backing up the console database…</source>
        <translation>コンソールのデータベースをバックアップしています…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Back up</source>
        <translation>バックアップ</translation>
    </message>
    <message numerus="yes">
        <source>Backed up to %1: %2, %n alert(s), schema v%3</source>
        <translation>
            <numerusform>%1 にバックアップしました: %2、アラート %n 件、スキーマ v%3</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::ChangePasswordDialog</name>
    <message>
        <source>Change password — Ironsight</source>
        <translation>パスワードの変更 — Ironsight</translation>
    </message>
    <message>
        <source>Your password was set by an administrator. Choose a new password before you continue.</source>
        <translation>パスワードは管理者によって設定されました。続行する前に新しいパスワードを設定してください。</translation>
    </message>
    <message>
        <source>Choose a new password.</source>
        <translation>新しいパスワードを設定してください。</translation>
    </message>
    <message>
        <source>At least 12 characters, not your user name, and at least 3 of: lower-case, upper-case, digits, symbols.</source>
        <translation>12 文字以上、ユーザー名以外、かつ小文字・大文字・数字・記号のうち 3 種類以上。</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>現在のパスワード</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新しいパスワード</translation>
    </message>
    <message>
        <source>Repeat new password</source>
        <translation>新しいパスワード（確認）</translation>
    </message>
    <message>
        <source>Change password</source>
        <translation>パスワードを変更</translation>
    </message>
    <message>
        <source>The new passwords do not match.</source>
        <translation>新しいパスワードが一致しません。</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::DashboardPage</name>
    <message>
        <source>Dashboard</source>
        <translation>ダッシュボード</translation>
    </message>
    <message>
        <source>%1 open alerts · %2 devices · %3 of %4 sensors connected</source>
        <translation>未解決アラート %1 件 · デバイス %2 台 · センサー %4 台中 %3 台が接続中</translation>
    </message>
    <message>
        <source>Open alerts by severity</source>
        <translation>重大度別の未解決アラート</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation>緊急</translation>
    </message>
    <message>
        <source>Major</source>
        <translation>重大</translation>
    </message>
    <message>
        <source>Minor</source>
        <translation>軽度</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Open alerts</source>
        <translation>未解決アラート</translation>
    </message>
    <message>
        <source>Devices by type</source>
        <translation>種類別のデバイス</translation>
    </message>
    <message>
        <source>Top protocols (devices)</source>
        <translation>主なプロトコル（デバイス数）</translation>
    </message>
    <message>
        <source>Sensors by status</source>
        <translation>状態別のセンサー</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>稼働中</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>保留中</translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation>失効</translation>
    </message>
    <message>
        <source>Sensors by status (no sensors yet)</source>
        <translation>状態別のセンサー（センサーなし）</translation>
    </message>
    <message>
        <source>Alerts over time (none yet)</source>
        <translation>アラートの推移 (まだありません)</translation>
    </message>
    <message>
        <source>Alerts over time by severity (last seen, %1 – %2)</source>
        <translation>重大度別アラートの推移 (最終検知, %1 – %2)</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::DeviceDialog</name>
    <message>
        <source>Saving…</source>
        <translation>保存中…</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::DeviceEditDialog</name>
    <message>
        <source>Edit device</source>
        <translation>デバイスの編集</translation>
    </message>
    <message>
        <source>Device %1: %2 · %3</source>
        <translation>デバイス %1: %2 · %3</translation>
    </message>
    <message>
        <source>No name</source>
        <translation>名前なし</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <source>As reported (%1)</source>
        <translation>報告どおり (%1)</translation>
    </message>
    <message>
        <source>none</source>
        <translation>なし</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>種別</translation>
    </message>
    <message>
        <source>Purdue level</source>
        <translation>Purdue レベル</translation>
    </message>
    <message>
        <source>Not set</source>
        <translation>未設定</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation>最重要</translation>
    </message>
    <message>
        <source>Criticality</source>
        <translation>重要度</translation>
    </message>
    <message>
        <source>Not decided</source>
        <translation>未決定</translation>
    </message>
    <message>
        <source>Authorized</source>
        <translation>許可済み</translation>
    </message>
    <message>
        <source>Not authorized</source>
        <translation>未許可</translation>
    </message>
    <message>
        <source>Zone</source>
        <translation>ゾーン</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>From the sensor or a zone rule</source>
        <translation>センサーまたはゾーンルールから</translation>
    </message>
    <message>
        <source>From the sensor or a zone rule (%1)</source>
        <translation>センサーまたはゾーンルールから (%1)</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::DeviceMapPage</name>
    <message>
        <source>External hosts</source>
        <translation>外部ホスト</translation>
    </message>
    <message>
        <source>Level 5 · Enterprise</source>
        <translation>レベル 5 · エンタープライズ</translation>
    </message>
    <message>
        <source>Level 4 · Business IT</source>
        <translation>レベル 4 · 業務 IT</translation>
    </message>
    <message>
        <source>Level 3 · Operations</source>
        <translation>レベル 3 · 運用</translation>
    </message>
    <message>
        <source>Level 2 · Supervisory</source>
        <translation>レベル 2 · 監視</translation>
    </message>
    <message>
        <source>Level 1 · Control</source>
        <translation>レベル 1 · 制御</translation>
    </message>
    <message>
        <source>Level 0 · Process</source>
        <translation>レベル 0 · プロセス</translation>
    </message>
    <message>
        <source>Level unknown</source>
        <translation>レベル不明</translation>
    </message>
    <message>
        <source>PLC</source>
        <translation>PLC</translation>
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
        <translation>エンジニアリング端末</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>サーバー</translation>
    </message>
    <message>
        <source>Switch / router</source>
        <translation>スイッチ / ルーター</translation>
    </message>
    <message>
        <source>Workstation</source>
        <translation>ワークステーション</translation>
    </message>
    <message>
        <source>External</source>
        <translation>外部</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>不明</translation>
    </message>
    <message>
        <source>%1 %2/%3 · %4 packets · %5 bytes</source>
        <translation>%1 %2/%3 · %4 パケット · %5 バイト</translation>
    </message>
    <message>
        <source>Device map</source>
        <translation>デバイスマップ</translation>
    </message>
    <message>
        <source>Find device, IP, MAC… (Enter: next)</source>
        <translation>デバイス・IP・MAC を検索… (Enter: 次へ)</translation>
    </message>
    <message>
        <source>All device types</source>
        <translation>すべてのデバイス種別</translation>
    </message>
    <message>
        <source>Only devices with open alerts</source>
        <translation>未解決アラートのあるデバイスのみ</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>全体表示</translation>
    </message>
    <message>
        <source>Show the whole map (wheel: zoom, drag: pan)</source>
        <translation>マップ全体を表示 (ホイール: ズーム, ドラッグ: 移動)</translation>
    </message>
    <message>
        <source>Export PNG…</source>
        <translation>PNG 出力…</translation>
    </message>
    <message>
        <source>Export SVG…</source>
        <translation>SVG 出力…</translation>
    </message>
    <message>
        <source>Protocol:</source>
        <translation>プロトコル:</translation>
    </message>
    <message>
        <source>Zone:</source>
        <translation>ゾーン:</translation>
    </message>
    <message>
        <source>Type:</source>
        <translation>種別:</translation>
    </message>
    <message>
        <source>Click a device to see its details.</source>
        <translation>デバイスをクリックすると詳細が表示されます。</translation>
    </message>
    <message>
        <source>No device matches “%1”</source>
        <translation>「%1」に一致するデバイスはありません</translation>
    </message>
    <message>
        <source>No devices yet</source>
        <translation>デバイスはまだありません</translation>
    </message>
    <message>
        <source>Laying out %1 devices…</source>
        <translation>%1 台のデバイスを配置中…</translation>
    </message>
    <message>
        <source>Cannot lay out the map: %1</source>
        <translation>マップを配置できません: %1</translation>
    </message>
    <message>
        <source>%1 devices · %2 connections · laid out in %3 ms (%4 zones, %5 from cache)</source>
        <translation>%1 台 · %2 接続 · 配置 %3 ms (%4 ゾーン, キャッシュ %5)</translation>
    </message>
    <message>
        <source>Connections by protocol</source>
        <translation>プロトコル別の接続</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>まだありません</translation>
    </message>
    <message>
        <source>Line width: traffic (bytes, log scale)</source>
        <translation>線の太さ: 通信量 (バイト, 対数)</translation>
    </message>
    <message>
        <source>Ring and badge: open alerts (▲ critical ■ major ● minor ○ warning)</source>
        <translation>リングとバッジ: 未解決アラート (▲ 重大 ■ 高 ● 中 ○ 警告)</translation>
    </message>
    <message>
        <source>Device types</source>
        <translation>デバイス種別</translation>
    </message>
    <message>
        <source>All protocols</source>
        <translation>すべてのプロトコル</translation>
    </message>
    <message>
        <source>All zones</source>
        <translation>すべてのゾーン</translation>
    </message>
    <message>
        <source>the map is empty</source>
        <translation>マップが空です</translation>
    </message>
    <message>
        <source>not enough memory for a %1 × %2 image</source>
        <translation>%1 × %2 の画像を作るメモリが足りません</translation>
    </message>
    <message>
        <source>cannot write %1</source>
        <translation>%1 に書き込めません</translation>
    </message>
    <message>
        <source>Ironsight device map</source>
        <translation>Ironsight デバイスマップ</translation>
    </message>
    <message>
        <source>%1 devices, %2 connections</source>
        <translation>%1 台, %2 接続</translation>
    </message>
    <message>
        <source>SVG image (*.svg)</source>
        <translation>SVG 画像 (*.svg)</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG 画像 (*.png)</translation>
    </message>
    <message>
        <source>Export map as SVG</source>
        <translation>マップを SVG で出力</translation>
    </message>
    <message>
        <source>Export map as PNG</source>
        <translation>マップを PNG で出力</translation>
    </message>
    <message>
        <source>Export map</source>
        <translation>マップ出力</translation>
    </message>
    <message>
        <source>Map exported to %1</source>
        <translation>マップを %1 に出力しました</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::DeviceMergeDialog</name>
    <message>
        <source>Merge device</source>
        <translation>デバイスの統合</translation>
    </message>
    <message>
        <source>Merge %1 into the device chosen below (same site: %2). Its observations move to that device, which keeps its own edits; %1 is then gone. Split undoes it.</source>
        <translation>%1 を下で選んだデバイスに統合します (同じサイト: %2)。観測はそのデバイスに移り、そのデバイスは自身の編集内容を保持します。%1 はその後なくなります。分離で元に戻せます。</translation>
    </message>
    <message>
        <source>Search devices of %1…</source>
        <translation>%1 のデバイスを検索…</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>統合</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 (device %4)</source>
        <translation>%1 · %2 · %3 (デバイス %4)</translation>
    </message>
    <message>
        <source>unknown type</source>
        <translation>不明な種別</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::DeviceSplitDialog</name>
    <message>
        <source>Split observation</source>
        <translation>観測の分離</translation>
    </message>
    <message>
        <source>%1 is seen by these sensors. The observation chosen below becomes a device of its own, without edits; %1 keeps its edits.</source>
        <translation>%1 はこれらのセンサーに観測されています。下で選んだ観測は編集内容のない独立したデバイスになります。%1 は編集内容を保持します。</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>分離</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::EvidenceExport</name>
    <message>
        <source>Looking for the evidence…</source>
        <translation>証拠を探しています…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Export evidence</source>
        <translation>証拠のエクスポート</translation>
    </message>
    <message>
        <source>Asking sensor %1…</source>
        <translation>センサー %1 に要求しています…</translation>
    </message>
    <message>
        <source>Cancelled; the request to sensor %1 stays queued.</source>
        <translation>キャンセルしました。センサー %1 への要求はキューに残ります。</translation>
    </message>
    <message>
        <source>Sensor %1 is %2: the request stays queued and is sent when it connects. Export again later.</source>
        <translation>センサー %1 は %2 です: 要求はキューに残り、接続時に送信されます。後でもう一度エクスポートしてください。</translation>
    </message>
    <message>
        <source>No answer from sensor %1 within %2 s: the request stays queued. Export again later.</source>
        <translation>センサー %1 から %2 秒以内に応答がありません: 要求はキューに残ります。後でもう一度エクスポートしてください。</translation>
    </message>
    <message>
        <source>Waiting for the sensor&apos;s answer…</source>
        <translation>センサーの応答を待っています…</translation>
    </message>
    <message>
        <source>Sensor %1: %2</source>
        <translation>センサー %1: %2</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %1 (%n byte(s) of packets from sensor %2).</source>
        <translation>
            <numerusform>%1 を書き込みました (センサー %2 のパケット %n バイト)。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::MainWindow</name>
    <message>
        <source>Site / Zone</source>
        <translation>サイト / ゾーン</translation>
    </message>
    <message>
        <source>Sensors</source>
        <translation>センサー</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>デバイス</translation>
    </message>
    <message>
        <source>Open alerts</source>
        <translation>未解決アラート</translation>
    </message>
    <message>
        <source>Sensor</source>
        <translation>センサー</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>サイト</translation>
    </message>
    <message>
        <source>Zone</source>
        <translation>ゾーン</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>最終検出</translation>
    </message>
    <message>
        <source>Sensor id</source>
        <translation>センサー ID</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>デバイス</translation>
    </message>
    <message>
        <source>IP addresses</source>
        <translation>IP アドレス</translation>
    </message>
    <message>
        <source>MAC</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>Vendor</source>
        <translation>ベンダー</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>種類</translation>
    </message>
    <message>
        <source>Purdue</source>
        <translation>Purdue</translation>
    </message>
    <message>
        <source>Protocols</source>
        <translation>プロトコル</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>重大度</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>タイトル</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>送信元</translation>
    </message>
    <message>
        <source>Destination</source>
        <translation>宛先</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>プロトコル</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>件数</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>ダッシュボード</translation>
    </message>
    <message>
        <source>Sites &amp; Zones</source>
        <translation>サイトとゾーン</translation>
    </message>
    <message>
        <source>Inventory</source>
        <translation>インベントリ</translation>
    </message>
    <message>
        <source>Device inventory</source>
        <translation>デバイスインベントリ</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>アラート</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Signed in: %1</source>
        <translation>サインイン中: %1</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <source>Find in page</source>
        <translation>ページ内を検索</translation>
    </message>
    <message>
        <source>Dark palette</source>
        <translation>ダークパレット</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>終了</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>読み込み中…</translation>
    </message>
    <message>
        <source>Add sensor…</source>
        <translation>センサーを追加…</translation>
    </message>
    <message>
        <source>Revoke…</source>
        <translation>失効…</translation>
    </message>
    <message>
        <source>Only administrators can add sensors.</source>
        <translation>センサーを追加できるのは管理者のみです。</translation>
    </message>
    <message>
        <source>Only administrators can revoke sensors.</source>
        <translation>センサーを失効できるのは管理者のみです。</translation>
    </message>
    <message>
        <source>Filter… (Ctrl+F)</source>
        <translation>絞り込み… (Ctrl+F)</translation>
    </message>
    <message>
        <source>Select a row to see its details.</source>
        <translation>行を選択すると詳細が表示されます。</translation>
    </message>
    <message>
        <source>Sensor %1 added; activation file saved to %2</source>
        <translation>センサー %1 を追加しました。アクティベーションファイルの保存先: %2</translation>
    </message>
    <message>
        <source>Revoke sensor</source>
        <translation>センサーの失効</translation>
    </message>
    <message>
        <source>Select the sensor to revoke first.</source>
        <translation>先に失効させるセンサーを選択してください。</translation>
    </message>
    <message>
        <source>Revoke sensor %1?</source>
        <translation>センサー %1 を失効させますか？</translation>
    </message>
    <message>
        <source>Its certificate is refused from now on and a live connection is cut within 2 seconds. This cannot be undone: to bring the sensor back, add it again and activate it with a new file.</source>
        <translation>以後この証明書は拒否され、接続中の通信は 2 秒以内に切断されます。元に戻すことはできません。センサーを復帰させるには、再度追加して新しいファイルでアクティベートしてください。</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>失効させる</translation>
    </message>
    <message>
        <source>Sensor %1 revoked</source>
        <translation>センサー %1 を失効させました</translation>
    </message>
    <message>
        <source>Cannot read the console store: %1</source>
        <translation>コンソールのストアを読み取れません: %1</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation>緊急</translation>
    </message>
    <message>
        <source>Major</source>
        <translation>重大</translation>
    </message>
    <message>
        <source>Minor</source>
        <translation>軽度</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Sensors (%1)</source>
        <translation>センサー (%1)</translation>
    </message>
    <message>
        <source>Inventory (%1)</source>
        <translation>インベントリ (%1)</translation>
    </message>
    <message>
        <source>Alerts (%1)</source>
        <translation>アラート (%1)</translation>
    </message>
    <message>
        <source>%1 of %2 sensors connected · %3 devices · %4 open alerts</source>
        <translation>センサー %2 台中 %1 台が接続中 · デバイス %3 台 · 未解決アラート %4 件</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>マップ</translation>
    </message>
    <message>
        <source>Packets/s</source>
        <translation>パケット/秒</translation>
    </message>
    <message>
        <source>Drops</source>
        <translation>ドロップ</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>メモリ</translation>
    </message>
    <message>
        <source>Outbox</source>
        <translation>送信キュー</translation>
    </message>
    <message>
        <source>Learning</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>バージョン</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>稼働時間</translation>
    </message>
    <message>
        <source>Clock skew</source>
        <translation>時刻のずれ</translation>
    </message>
    <message>
        <source>Assigned to</source>
        <translation>担当者</translation>
    </message>
    <message>
        <source>Learning on</source>
        <translation>学習オン</translation>
    </message>
    <message>
        <source>Learning off</source>
        <translation>学習オフ</translation>
    </message>
    <message>
        <source>Switch the selected sensor&apos;s learning mode (sent when it is connected)</source>
        <translation>選択したセンサーの学習モードを切り替えます (接続時に送信)</translation>
    </message>
    <message>
        <source>Read-only users cannot send commands to sensors.</source>
        <translation>読み取り専用ユーザーはセンサーにコマンドを送信できません。</translation>
    </message>
    <message>
        <source>Learning mode</source>
        <translation>学習モード</translation>
    </message>
    <message>
        <source>Select a sensor first.</source>
        <translation>先にセンサーを選択してください。</translation>
    </message>
    <message>
        <source>Learning on sent to sensor %1</source>
        <translation>センサー %1 に学習オンを送信しました</translation>
    </message>
    <message>
        <source>Learning off sent to sensor %1</source>
        <translation>センサー %1 に学習オフを送信しました</translation>
    </message>
    <message>
        <source>Export report…</source>
        <translation>レポートをエクスポート…</translation>
    </message>
    <message>
        <source>Write the rows that match the filter as a PDF or CSV report</source>
        <translation>フィルターに一致する行を PDF または CSV レポートとして書き出します</translation>
    </message>
    <message>
        <source>Push settings…</source>
        <translation>設定を送信…</translation>
    </message>
    <message>
        <source>Capture filter, port aliases, ICS subnets, VLAN names and DHCP ranges for the selected sensor</source>
        <translation>選択したセンサーのキャプチャフィルター、ポート別名、ICS サブネット、VLAN 名、DHCP 範囲</translation>
    </message>
    <message>
        <source>Renew certificate</source>
        <translation>証明書を更新</translation>
    </message>
    <message>
        <source>The selected sensor makes a new key and gets a new certificate over its link</source>
        <translation>選択したセンサーが新しい鍵を作り、リンク経由で新しい証明書を受け取ります</translation>
    </message>
    <message>
        <source>Push settings</source>
        <translation>設定の送信</translation>
    </message>
    <message>
        <source># Settings for sensor %1 (docs/SENSOR_CONFIG.md, &quot;console push&quot;).
# [network]
# ics_subnets = [&quot;10.20.0.0/16&quot;]
# vlan_names = [&quot;20=PLC floor&quot;]
# dhcp_ranges = [&quot;10.1.2.100-10.1.2.199&quot;]
</source>
        <translation># センサー %1 の設定 (docs/SENSOR_CONFIG.md, &quot;console push&quot;)。
# [network]
# ics_subnets = [&quot;10.20.0.0/16&quot;]
# vlan_names = [&quot;20=PLC floor&quot;]
# dhcp_ranges = [&quot;10.1.2.100-10.1.2.199&quot;]
</translation>
    </message>
    <message>
        <source>Push settings to %1</source>
        <translation>%1 に設定を送信</translation>
    </message>
    <message>
        <source>These settings replace the ones pushed before and win over the sensor&apos;s own file. Leave only comments to withdraw them.</source>
        <translation>この設定は以前に送信した設定を置き換え、センサー自身のファイルより優先されます。取り消すにはコメントだけを残してください。</translation>
    </message>
    <message>
        <source>Push</source>
        <translation>送信</translation>
    </message>
    <message>
        <source>Settings sent to sensor %1; it answers what it applied (admin command list)</source>
        <translation>センサー %1 に設定を送信しました。適用内容はセンサーが応答します (admin command list)</translation>
    </message>
    <message>
        <source>Certificate renewal sent to sensor %1</source>
        <translation>センサー %1 に証明書の更新を送信しました</translation>
    </message>
    <message>
        <source>Cannot read: %1</source>
        <translation>読み込めません: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n match(es)</source>
        <translation>
            <numerusform>%n 件一致</numerusform>
        </translation>
    </message>
    <message>
        <source>%1+ matches</source>
        <translation>%1 件以上一致</translation>
    </message>
    <message>
        <source>Edit device…</source>
        <translation>デバイスを編集…</translation>
    </message>
    <message>
        <source>Name, type, Purdue level, criticality, authorized, notes and zone of the selected device</source>
        <translation>選択したデバイスの名前、種別、Purdue レベル、重要度、許可、メモ、ゾーン</translation>
    </message>
    <message>
        <source>Merge into…</source>
        <translation>統合先を選択…</translation>
    </message>
    <message>
        <source>Merge the selected device into another device of its site</source>
        <translation>選択したデバイスを同じサイトの別のデバイスに統合します</translation>
    </message>
    <message>
        <source>Split observation…</source>
        <translation>観測を分離…</translation>
    </message>
    <message>
        <source>Make one sensor&apos;s observation of the selected device a device of its own</source>
        <translation>選択したデバイスについての 1 つのセンサーの観測を独立したデバイスにします</translation>
    </message>
    <message>
        <source>Read-only users cannot edit devices.</source>
        <translation>読み取り専用ユーザーはデバイスを編集できません。</translation>
    </message>
    <message>
        <source>Select a device first.</source>
        <translation>先にデバイスを選択してください。</translation>
    </message>
    <message>
        <source>Edit device</source>
        <translation>デバイスの編集</translation>
    </message>
    <message>
        <source>Device %1 (%2) saved</source>
        <translation>デバイス %1 (%2) を保存しました</translation>
    </message>
    <message>
        <source>Merge device</source>
        <translation>デバイスの統合</translation>
    </message>
    <message>
        <source>Device %1 (%2) merged into device %3</source>
        <translation>デバイス %1 (%2) をデバイス %3 に統合しました</translation>
    </message>
    <message>
        <source>Split observation</source>
        <translation>観測の分離</translation>
    </message>
    <message>
        <source>%1 is seen by one sensor only: there is no observation to split off.</source>
        <translation>%1 を観測しているセンサーは 1 つだけです。分離できる観測はありません。</translation>
    </message>
    <message>
        <source>An observation of device %1 is now device %2</source>
        <translation>デバイス %1 の観測はデバイス %2 になりました</translation>
    </message>
    <message>
        <source>Not restored: %1</source>
        <translation>復元されませんでした: %1</translation>
    </message>
    <message>
        <source>Checking the backup %1…</source>
        <translation>バックアップ %1 を確認しています…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>復元</translation>
    </message>
    <message>
        <source>Restore cancelled; nothing was changed.</source>
        <translation>復元を取り消しました。何も変更されていません。</translation>
    </message>
    <message>
        <source>Replace the console&apos;s data with the backup %1?</source>
        <translation>コンソールのデータをバックアップ %1 で置き換えますか?</translation>
    </message>
    <message>
        <source>The backup holds %1 devices, %2 alerts and %3 audit records (schema v%4). Everything the console recorded since it was made is replaced: devices, alerts, users and the audit log. The current database is kept as console.db.bak. The console closes its data while it restores; sign in again afterwards.</source>
        <translation>バックアップには %1 台のデバイス、%2 件のアラート、%3 件の監査レコードが含まれています (スキーマ v%4)。作成以降にコンソールが記録したものはすべて置き換えられます: デバイス、アラート、ユーザー、監査ログ。現在のデータベースは console.db.bak として保持されます。復元中はコンソールのデータを閉じます。完了後にもう一度サインインしてください。</translation>
    </message>
    <message>
        <source>Restoring the console database…</source>
        <translation>コンソールのデータベースを復元しています…</translation>
    </message>
    <message>
        <source>Restoring the console database from %1…</source>
        <translation>%1 からコンソールのデータベースを復元しています…</translation>
    </message>
    <message>
        <source>Restoring…</source>
        <translation>復元中…</translation>
    </message>
    <message>
        <source>Restored %1: %2 devices, %3 alerts (schema v%4).</source>
        <translation>%1 を復元しました: デバイス %2 台、アラート %3 件 (スキーマ v%4)。</translation>
    </message>
    <message>
        <source>The previous database is kept as %1.</source>
        <translation>以前のデータベースは %1 として保持されています。</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::ReportExport</name>
    <message>
        <source>Writing the report…</source>
        <translation>レポートを書き込んでいます…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>レポートのエクスポート</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n row(s) to %1</source>
        <translation>
            <numerusform>%n 行を %1 に書き込みました</numerusform>
        </translation>
    </message>
    <message>
        <source>PDF report (*.pdf);;CSV spreadsheet (*.csv)</source>
        <translation>PDF レポート (*.pdf);;CSV スプレッドシート (*.csv)</translation>
    </message>
    <message>
        <source>The report was not written: %1</source>
        <translation>レポートは書き込まれませんでした: %1</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::SettingsPage</name>
    <message>
        <source>Admin</source>
        <translation>管理者</translation>
    </message>
    <message>
        <source>Security analyst</source>
        <translation>セキュリティアナリスト</translation>
    </message>
    <message>
        <source>Read-only</source>
        <translation>閲覧のみ</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Signed in as %1 (%2)</source>
        <translation>%1 としてサインイン中（%2）</translation>
    </message>
    <message>
        <source>Console certificate authority</source>
        <translation>コンソールの認証局</translation>
    </message>
    <message>
        <source>When a sensor is activated, it prints the fingerprint of the console CA from its activation file. Compare it with this one before you trust the sensor&apos;s connection.</source>
        <translation>センサーはアクティベーション時に、アクティベーションファイル内のコンソール CA のフィンガープリントを表示します。センサーの接続を信頼する前に、ここに表示された値と照合してください。</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>コピー</translation>
    </message>
    <message>
        <source>Sensor connections</source>
        <translation>センサー接続</translation>
    </message>
    <message>
        <source>Link (sensor data, mutual TLS)</source>
        <translation>リンク（センサーデータ、相互 TLS）</translation>
    </message>
    <message>
        <source>Enrollment (activation)</source>
        <translation>登録（アクティベーション）</translation>
    </message>
    <message>
        <source>Activation files carry these addresses. Change them with ironsight-console admin init or --listen / --enroll-listen.</source>
        <translation>アクティベーションファイルにはこれらのアドレスが含まれます。変更は ironsight-console admin init または --listen / --enroll-listen で行います。</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>ユーザー</translation>
    </message>
    <message>
        <source>User</source>
        <translation>ユーザー</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>ロール</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Last sign-in</source>
        <translation>最終サインイン</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>作成日時</translation>
    </message>
    <message>
        <source>Appearance and language</source>
        <translation>外観と言語</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>ライト</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>ダーク</translation>
    </message>
    <message>
        <source>Palette</source>
        <translation>パレット</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <source>Only administrators can see and manage users.</source>
        <translation>ユーザーを表示・管理できるのは管理者のみです。</translation>
    </message>
    <message>
        <source>Users: %1. Add, disable or reset users with ironsight-console admin user.</source>
        <translation>ユーザー数: %1。ユーザーの追加・無効化・リセットは ironsight-console admin user で行います。</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>無効</translation>
    </message>
    <message>
        <source>locked</source>
        <translation>ロック中</translation>
    </message>
    <message>
        <source>must change password</source>
        <translation>パスワード変更が必要</translation>
    </message>
    <message>
        <source>enabled</source>
        <translation>有効</translation>
    </message>
    <message>
        <source>Backup</source>
        <translation>バックアップ</translation>
    </message>
    <message>
        <source>Back up…</source>
        <translation>バックアップ…</translation>
    </message>
    <message>
        <source>Only administrators can back up the console.</source>
        <translation>コンソールをバックアップできるのは管理者だけです。</translation>
    </message>
    <message>
        <source>Back up</source>
        <translation>バックアップ</translation>
    </message>
    <message>
        <source>Console backup (*.db)</source>
        <translation>コンソールのバックアップ (*.db)</translation>
    </message>
    <message>
        <source>No backup was written: %1</source>
        <translation>バックアップは書き込まれませんでした: %1</translation>
    </message>
    <message>
        <source>Backup cancelled; no file was written.</source>
        <translation>バックアップをキャンセルしました。ファイルは書き込まれていません。</translation>
    </message>
    <message>
        <source>A verified copy of the console database (devices, alerts, users, audit log). Restore replaces the console&apos;s data with such a copy; keep the data directory&apos;s pki/ folder with your backups.</source>
        <translation>検証済みのコンソールデータベースのコピー (デバイス、アラート、ユーザー、監査ログ)。復元するとコンソールのデータがこのコピーで置き換えられます。データディレクトリの pki/ フォルダーもバックアップと一緒に保管してください。</translation>
    </message>
    <message>
        <source>Restore…</source>
        <translation>復元…</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>復元</translation>
    </message>
    <message>
        <source>Console backup (*.db);;All files (*)</source>
        <translation>コンソールのバックアップ (*.db);;すべてのファイル (*)</translation>
    </message>
    <message>
        <source>Only administrators can restore the console.</source>
        <translation>コンソールを復元できるのは管理者だけです。</translation>
    </message>
    <message>
        <source>Restore with ironsight-console admin restore while the console is stopped.</source>
        <translation>コンソールを停止した状態で ironsight-console admin restore を使って復元してください。</translation>
    </message>
    <message>
        <source>Replace the console&apos;s data with a backup file</source>
        <translation>コンソールのデータをバックアップファイルで置き換えます</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::SetupWizard</name>
    <message>
        <source>Set up the Ironsight console</source>
        <translation>Ironsight コンソールのセットアップ</translation>
    </message>
    <message>
        <source>Administrator account</source>
        <translation>管理者アカウント</translation>
    </message>
    <message>
        <source>This account manages users, sites, sensors and certificates.</source>
        <translation>このアカウントでユーザー、サイト、センサー、証明書を管理します。</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>ユーザー名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <source>Confirm password</source>
        <translation>パスワードの確認</translation>
    </message>
    <message>
        <source>At least 12 characters, not the user name, and at least three of: lower-case letters, upper-case letters, digits, other characters.</source>
        <translation>12 文字以上、ユーザー名とは異なり、小文字・大文字・数字・その他の文字のうち 3 種類以上を含めてください。</translation>
    </message>
    <message>
        <source>Enter a user name.</source>
        <translation>ユーザー名を入力してください。</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>2 つのパスワードが一致しません。</translation>
    </message>
    <message>
        <source>Sensor connections</source>
        <translation>センサー接続</translation>
    </message>
    <message>
        <source>Where the console listens for its sensors.</source>
        <translation>コンソールがセンサーからの接続を待ち受けるアドレスです。</translation>
    </message>
    <message>
        <source>Link (sensor data, mutual TLS)</source>
        <translation>リンク（センサーデータ、相互 TLS）</translation>
    </message>
    <message>
        <source>Enrollment (activation)</source>
        <translation>登録（アクティベーション）</translation>
    </message>
    <message>
        <source>HOST:PORT. Use an address your sensors can reach (0.0.0.0 listens on every interface). Activation files carry these addresses; the enrollment port is open only while an activation is pending.</source>
        <translation>HOST:PORT 形式。センサーから到達できるアドレスを指定してください（0.0.0.0 はすべてのインターフェースで待ち受けます）。アクティベーションファイルにはこれらのアドレスが含まれます。登録ポートは保留中のアクティベーションがある間だけ開きます。</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not HOST:PORT with a port from 1 to 65535.</source>
        <translation>「%1」は 1〜65535 のポートを持つ HOST:PORT ではありません。</translation>
    </message>
    <message>
        <source>The link and enrollment listeners need different ports.</source>
        <translation>リンクと登録には異なるポートが必要です。</translation>
    </message>
    <message>
        <source>Console certificate</source>
        <translation>コンソール証明書</translation>
    </message>
    <message>
        <source>The certificate sensors check when they connect to the console.</source>
        <translation>センサーがコンソールに接続するときに確認する証明書です。</translation>
    </message>
    <message>
        <source>Generate a certificate authority and certificate (recommended)</source>
        <translation>認証局と証明書を生成する（推奨）</translation>
    </message>
    <message>
        <source>Import a certificate signed by your certificate authority</source>
        <translation>自組織の認証局が署名した証明書をインポートする</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <source>Private key (PEM)</source>
        <translation>秘密鍵（PEM）</translation>
    </message>
    <message>
        <source>Certificate (PEM)</source>
        <translation>証明書（PEM）</translation>
    </message>
    <message>
        <source>CA chain up to the root (PEM)</source>
        <translation>ルートまでの CA チェーン（PEM）</translation>
    </message>
    <message>
        <source>Key passphrase (if encrypted)</source>
        <translation>鍵のパスフレーズ（暗号化されている場合）</translation>
    </message>
    <message>
        <source>The console creates its own certificate authority. Sensors trust it through their activation files.</source>
        <translation>コンソールが独自の認証局を作成します。センサーはアクティベーションファイルを通じてこれを信頼します。</translation>
    </message>
    <message>
        <source>The certificate must name console.ironsight (the name sensors check). Sensors activated from now on also trust your root CA; the console&apos;s own certificate authority still issues every sensor certificate.</source>
        <translation>証明書には console.ironsight（センサーが確認する名前）が含まれている必要があります。今後アクティベートされるセンサーは自組織のルート CA も信頼します。センサー証明書は引き続きコンソール独自の認証局が発行します。</translation>
    </message>
    <message>
        <source>Choose the %1 file.</source>
        <translation>%1 のファイルを選択してください。</translation>
    </message>
    <message>
        <source>Cannot read %1.</source>
        <translation>%1 を読み取れません。</translation>
    </message>
    <message>
        <source>private key</source>
        <translation>秘密鍵</translation>
    </message>
    <message>
        <source>certificate</source>
        <translation>証明書</translation>
    </message>
    <message>
        <source>chain</source>
        <translation>CA チェーン</translation>
    </message>
    <message>
        <source>Console ready</source>
        <translation>コンソールの準備完了</translation>
    </message>
    <message>
        <source>Fingerprint (SHA-256) of the console certificate authority. When a sensor is activated it prints this fingerprint: compare the two.</source>
        <translation>コンソール認証局のフィンガープリント（SHA-256）です。センサーはアクティベーション時にこのフィンガープリントを表示します。両者を比較してください。</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>コピー</translation>
    </message>
    <message>
        <source>Setting up the console in %1…</source>
        <translation>%1 にコンソールをセットアップしています…</translation>
    </message>
    <message>
        <source>Setup failed: %1. Go back to change your choices.</source>
        <translation>セットアップに失敗しました: %1。戻って設定を変更してください。</translation>
    </message>
    <message>
        <source>Link certificate: imported, %1, valid until %2.</source>
        <translation>リンク証明書: インポート済み、%1、有効期限 %2。</translation>
    </message>
    <message>
        <source>Link certificate: issued by the console certificate authority, valid until %1.</source>
        <translation>リンク証明書: コンソール認証局が発行、有効期限 %1。</translation>
    </message>
    <message>
        <source>What to do next</source>
        <translation>次の手順</translation>
    </message>
    <message>
        <source>Start the ingest server so sensors can connect: ironsight-console --headless --data-dir %1 (or the ironsight-console-headless service).</source>
        <translation>センサーが接続できるよう取り込みサーバーを起動します: ironsight-console --headless --data-dir %1（または ironsight-console-headless サービス）。</translation>
    </message>
    <message>
        <source>Add a sensor: Sensors page, Add sensor…, then save its activation file.</source>
        <translation>センサーを追加します: センサーページの「センサーを追加…」から、アクティベーションファイルを保存します。</translation>
    </message>
    <message>
        <source>Copy the file to the sensor and run ironsight-sensor activate FILE there; check that the fingerprint it prints is the one above.</source>
        <translation>ファイルをセンサーにコピーし、そこで ironsight-sensor activate FILE を実行します。表示されるフィンガープリントが上記と一致することを確認してください。</translation>
    </message>
</context>
<context>
    <name>ironsight::console::ui::SignInDialog</name>
    <message>
        <source>Sign in — Ironsight</source>
        <translation>サインイン — Ironsight</translation>
    </message>
    <message>
        <source>Sign in to the console.</source>
        <translation>コンソールにサインインしてください。</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>ユーザー名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>サインイン</translation>
    </message>
    <message>
        <source>Enter your user name.</source>
        <translation>ユーザー名を入力してください。</translation>
    </message>
</context>
</TS>
