<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="ja" sourcelanguage="en">
<context>
    <name>CallTableModel</name>
    <message>
        <location filename="../ui/calls_model.py" line="51" />
        <source>Remote party</source>
        <translation>相手</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="52" />
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="53" />
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="54" />
        <source>Duration</source>
        <translation>通話時間</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="55" />
        <source>Codec</source>
        <translation>コーデック</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="56" />
        <source>Quality</source>
        <translation>品質</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="61" />
        <source>Dialing</source>
        <translation>発信中</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="62" />
        <source>Ringing back</source>
        <translation>呼び出し中</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="63" />
        <source>Incoming</source>
        <translation>着信</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="64" />
        <source>Connecting</source>
        <translation>接続中</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="65" />
        <source>Connected</source>
        <translation>通話中</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="66" />
        <source>On hold</source>
        <translation>保留中</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="67" />
        <source>Ended</source>
        <translation>終了</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="136" />
        <source>Turned away</source>
        <translation>着信拒否</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="129" />
        <source>In</source>
        <translation>着信</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="129" />
        <source>Out</source>
        <translation>発信</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="132" />
        <source>muted</source>
        <translation>ミュート</translation>
    </message>
</context>
<context>
    <name>DialPad</name>
    <message>
        <location filename="../ui/window.py" line="70" />
        <source>Key %1</source>
        <extracomment>Buttons under the call list, in order: (action, object name).</extracomment>
        <translation>キー %1</translation>
    </message>
</context>
<context>
    <name>IncomingCallToast</name>
    <message>
        <location filename="../ui/toast.py" line="48" />
        <location filename="../ui/toast.py" line="54" />
        <source>Incoming call</source>
        <translation>着信</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="50" />
        <source>Answer</source>
        <translation>応答</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="51" />
        <source>Answer incoming call</source>
        <translation>着信に応答</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="52" />
        <source>Reject</source>
        <translation>拒否</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="53" />
        <source>Reject incoming call</source>
        <translation>着信を拒否</translation>
    </message>
</context>
<context>
    <name>LinkBanner</name>
    <message>
        <location filename="../ui/status.py" line="21" />
        <source>Connection status</source>
        <translation>接続状態</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="27" />
        <source>Connecting to the phone adapter on your workstation…</source>
        <translation>ワークステーションの電話アダプターに接続しています…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="29" />
        <source>Connection to the phone adapter lost; reconnecting. Calls in progress continue on your headset.</source>
        <translation>電話アダプターとの接続が切れました。再接続しています。通話中の音声はヘッドセットで続きます。</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="33" />
        <source>The phone adapter cannot be reached. Check that the softphone adapter is running on your workstation; the phone keeps retrying.</source>
        <translation>電話アダプターに接続できません。ワークステーションでソフトフォンアダプターが動作しているか確認してください。再試行を続けます。</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="37" />
        <source>The phone adapter on your workstation is not compatible with this app. Ask IT to update it.</source>
        <translation>ワークステーションの電話アダプターはこのアプリと互換性がありません。IT 部門に更新を依頼してください。</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="40" />
        <source>The phone is closed.</source>
        <translation>電話は終了しています。</translation>
    </message>
</context>
<context>
    <name>PhoneStatusBar</name>
    <message>
        <location filename="../ui/status.py" line="79" />
        <source>Not registered</source>
        <translation>未登録</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="80" />
        <source>Registering…</source>
        <translation>登録中…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="81" />
        <source>Registered</source>
        <translation>登録済み</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="82" />
        <source>Unregistering…</source>
        <translation>登録解除中…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="83" />
        <source>Registration failed</source>
        <translation>登録に失敗しました</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="84" />
        <source>Direct calls only</source>
        <translation>直接通話のみ</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="86" />
        <source>Unknown</source>
        <translation>不明</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="90" />
        <source>Virtual channel (RDP)</source>
        <translation>仮想チャネル (RDP)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="91" />
        <source>Virtual channel (Citrix)</source>
        <translation>仮想チャネル (Citrix)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="92" />
        <source>gRPC fallback (TLS)</source>
        <translation>gRPC 代替経路 (TLS)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="93" />
        <source>gRPC fallback</source>
        <translation>gRPC 代替経路</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="94" />
        <location filename="../ui/status.py" line="95" />
        <source>Local socket</source>
        <translation>ローカルソケット</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="96" />
        <source>Loopback simulator</source>
        <translation>ループバックシミュレーター</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="97" />
        <source>In-process</source>
        <translation>プロセス内</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="108" />
        <source>No line</source>
        <translation>回線なし</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="109" />
        <source>Registration</source>
        <translation>登録</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="111" />
        <source>Transport</source>
        <translation>トランスポート</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="114" />
        <source>Media on workstation</source>
        <translation>音声はワークステーションで処理</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="114" />
        <source>Media in this desktop</source>
        <translation>音声はこのデスクトップで処理</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="116" />
        <source>Media</source>
        <translation>音声</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="118" />
        <source>Adapter %1</source>
        <translation>アダプター %1</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="119" />
        <source>Adapter version</source>
        <translation>アダプターのバージョン</translation>
    </message>
</context>
<context>
    <name>PhoneViewModel</name>
    <message>
        <location filename="../ui/viewmodel.py" line="91" />
        <source>Dial</source>
        <extracomment>Runs an action on the phone, off the GUI thread; outcome comes back via ``command_done``. A call started ringing here: its id. A call stopped ringing (answered, rejected, cancelled): its id. A command failed: a message for the agent. The language changed (by the agent or a desktop application). An audio device test finished: microphone and speaker levels in dBFS.</extracomment>
        <translation>発信</translation>
    </message>
    <message>
        <location filename="../ui/viewmodel.py" line="108" />
        <source>Audio</source>
        <translation>オーディオ</translation>
    </message>
    <message>
        <location filename="../ui/viewmodel.py" line="111" />
        <source>Register</source>
        <translation>登録</translation>
    </message>
</context>
<context>
    <name>PhoneWindow</name>
    <message>
        <location filename="../ui/window.py" line="182" />
        <source>Answer</source>
        <translation>応答</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="183" />
        <source>Reject</source>
        <translation>拒否</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="184" />
        <source>Hang up</source>
        <translation>切断</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="185" />
        <source>Hold</source>
        <translation>保留</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="186" />
        <source>Retrieve</source>
        <translation>保留解除</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="187" />
        <source>Mute</source>
        <translation>ミュート</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="188" />
        <source>Unmute</source>
        <translation>ミュート解除</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="189" />
        <source>Transfer…</source>
        <translation>転送…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="190" />
        <source>Consult transfer…</source>
        <translation>相談転送…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="191" />
        <source>Merge…</source>
        <translation>会議…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="196" />
        <source>Softphone</source>
        <translation>ソフトフォン</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="197" />
        <source>Number or SIP address</source>
        <translation>番号または SIP アドレス</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="198" />
        <source>Number to call</source>
        <translation>発信先番号</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="199" />
        <source>Call</source>
        <translation>発信</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="200" />
        <source>Call the number</source>
        <translation>番号に発信</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="201" />
        <source>Redial</source>
        <translation>リダイヤル</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="202" />
        <source>Call the last number again</source>
        <translation>最後の番号に再発信</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="203" />
        <source>Settings…</source>
        <translation>設定…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="204" />
        <source>Open settings</source>
        <translation>設定を開く</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="205" />
        <source>Calls</source>
        <translation>通話</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="280" />
        <source>Transfer</source>
        <translation>転送</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="280" />
        <source>Transfer to:</source>
        <translation>転送先:</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="296" />
        <source>Choose a call</source>
        <translation>通話を選択</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="296" />
        <source>With call:</source>
        <translation>相手の通話:</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../ui/settings_dialog.py" line="120" />
        <source>Settings</source>
        <extracomment>Each language named in itself, so an agent finds theirs whatever the current one.</extracomment>
        <translation>設定</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Line</source>
        <translation>回線</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Audio</source>
        <translation>オーディオ</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Calls</source>
        <translation>通話</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>User</source>
        <translation>ユーザー</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>Server</source>
        <translation>サーバー</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>SIP transport</source>
        <translation>SIP トランスポート</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="127" />
        <source>Microphone</source>
        <translation>マイク</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="128" />
        <source>Speaker</source>
        <translation>スピーカー</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="129" />
        <source>Ringer</source>
        <translation>着信音</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="130" />
        <source>Speaker volume</source>
        <translation>スピーカー音量</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="131" />
        <source>Microphone level</source>
        <translation>マイクレベル</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="132" />
        <source>Speaker level</source>
        <translation>スピーカーレベル</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="137" />
        <source>Test devices</source>
        <translation>デバイスをテスト</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="138" />
        <source>Test the microphone and speaker</source>
        <translation>マイクとスピーカーをテスト</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>DTMF method</source>
        <translation>DTMF 方式</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>Auto-answer</source>
        <translation>自動応答</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="144" />
        <source>RFC 4733 (telephone-event)</source>
        <translation>RFC 4733 (telephone-event)</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="145" />
        <source>SIP INFO</source>
        <translation>SIP INFO</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="146" />
        <source>In-band tones</source>
        <translation>インバンドトーン</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="149" />
        <source>Answer incoming calls automatically</source>
        <translation>着信に自動で応答</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="189" />
        <source>Microphone %1 dBFS, speaker %2 dBFS</source>
        <translation>マイク %1 dBFS、スピーカー %2 dBFS</translation>
    </message>
</context>
</TS>