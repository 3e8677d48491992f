<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>CallTableModel</name>
    <message>
        <location filename="../ui/calls_model.py" line="51" />
        <source>Remote party</source>
        <translation>Gegenstelle</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="52" />
        <source>Direction</source>
        <translation>Richtung</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="53" />
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="54" />
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="55" />
        <source>Codec</source>
        <translation>Codec</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="56" />
        <source>Quality</source>
        <translation>Qualität</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="61" />
        <source>Dialing</source>
        <translation>Wählt</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="62" />
        <source>Ringing back</source>
        <translation>Klingelt beim Partner</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="63" />
        <source>Incoming</source>
        <translation>Eingehend</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="64" />
        <source>Connecting</source>
        <translation>Verbindet</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="65" />
        <source>Connected</source>
        <translation>Verbunden</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="66" />
        <source>On hold</source>
        <translation>Gehalten</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="67" />
        <source>Ended</source>
        <translation>Beendet</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="136" />
        <source>Turned away</source>
        <translation>Abgewiesen</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="129" />
        <source>In</source>
        <translation>Ein</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="129" />
        <source>Out</source>
        <translation>Aus</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="132" />
        <source>muted</source>
        <translation>stumm</translation>
    </message>
</context>
<context>
    <name>DialPad</name>
    <message>
        <location filename="../ui/window.py" line="70" />
        <source>Key %1</source>
        <extracomment>Buttons under the call list, in order: (action, object name).</extracomment>
        <translation>Taste %1</translation>
    </message>
</context>
<context>
    <name>IncomingCallToast</name>
    <message>
        <location filename="../ui/toast.py" line="48" />
        <location filename="../ui/toast.py" line="54" />
        <source>Incoming call</source>
        <translation>Eingehender Anruf</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="50" />
        <source>Answer</source>
        <translation>Annehmen</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="51" />
        <source>Answer incoming call</source>
        <translation>Eingehenden Anruf annehmen</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="52" />
        <source>Reject</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="53" />
        <source>Reject incoming call</source>
        <translation>Eingehenden Anruf ablehnen</translation>
    </message>
</context>
<context>
    <name>LinkBanner</name>
    <message>
        <location filename="../ui/status.py" line="21" />
        <source>Connection status</source>
        <translation>Verbindungsstatus</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="27" />
        <source>Connecting to the phone adapter on your workstation…</source>
        <translation>Verbindung zum Telefonadapter Ihres Arbeitsplatzes wird hergestellt…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="29" />
        <source>Connection to the phone adapter lost; reconnecting. Calls in progress continue on your headset.</source>
        <translation>Verbindung zum Telefonadapter verloren; neuer Verbindungsversuch. Laufende Gespräche gehen im Headset weiter.</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="33" />
        <source>The phone adapter cannot be reached. Check that the softphone adapter is running on your workstation; the phone keeps retrying.</source>
        <translation>Der Telefonadapter ist nicht erreichbar. Prüfen Sie, ob der Softphone-Adapter auf Ihrem Arbeitsplatz läuft; das Telefon versucht es weiter.</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="37" />
        <source>The phone adapter on your workstation is not compatible with this app. Ask IT to update it.</source>
        <translation>Der Telefonadapter Ihres Arbeitsplatzes ist mit dieser App nicht kompatibel. Bitten Sie die IT um ein Update.</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="40" />
        <source>The phone is closed.</source>
        <translation>Das Telefon ist geschlossen.</translation>
    </message>
</context>
<context>
    <name>PhoneStatusBar</name>
    <message>
        <location filename="../ui/status.py" line="79" />
        <source>Not registered</source>
        <translation>Nicht registriert</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="80" />
        <source>Registering…</source>
        <translation>Registriert sich…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="81" />
        <source>Registered</source>
        <translation>Registriert</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="82" />
        <source>Unregistering…</source>
        <translation>Meldet ab…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="83" />
        <source>Registration failed</source>
        <translation>Registrierung fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="84" />
        <source>Direct calls only</source>
        <translation>Nur Direktanrufe</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="86" />
        <source>Unknown</source>
        <translation>Unbekannt</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="90" />
        <source>Virtual channel (RDP)</source>
        <translation>Virtueller Kanal (RDP)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="91" />
        <source>Virtual channel (Citrix)</source>
        <translation>Virtueller Kanal (Citrix)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="92" />
        <source>gRPC fallback (TLS)</source>
        <translation>gRPC-Ausweichweg (TLS)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="93" />
        <source>gRPC fallback</source>
        <translation>gRPC-Ausweichweg</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="94" />
        <location filename="../ui/status.py" line="95" />
        <source>Local socket</source>
        <translation>Lokaler Socket</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="96" />
        <source>Loopback simulator</source>
        <translation>Loopback-Simulator</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="97" />
        <source>In-process</source>
        <translation>Im Prozess</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="108" />
        <source>No line</source>
        <translation>Keine Leitung</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="109" />
        <source>Registration</source>
        <translation>Registrierung</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="111" />
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="114" />
        <source>Media on workstation</source>
        <translation>Audio am Arbeitsplatz</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="114" />
        <source>Media in this desktop</source>
        <translation>Audio in diesem Desktop</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="116" />
        <source>Media</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="118" />
        <source>Adapter %1</source>
        <translation>Adapter %1</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="119" />
        <source>Adapter version</source>
        <translation>Adapterversion</translation>
    </message>
</context>
<context>
    <name>PhoneViewModel</name>
    <message>
        <location filename="../ui/viewmodel.py" line="91" />
        <source>Dial</source>
        <extracomment>Runs an action on the phone, off the GUI thread; outcome comes back via ``command_done``. A call started ringing here: its id. A call stopped ringing (answered, rejected, cancelled): its id. A command failed: a message for the agent. The language changed (by the agent or a desktop application). An audio device test finished: microphone and speaker levels in dBFS.</extracomment>
        <translation>Wählen</translation>
    </message>
    <message>
        <location filename="../ui/viewmodel.py" line="108" />
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../ui/viewmodel.py" line="111" />
        <source>Register</source>
        <translation>Registrieren</translation>
    </message>
</context>
<context>
    <name>PhoneWindow</name>
    <message>
        <location filename="../ui/window.py" line="182" />
        <source>Answer</source>
        <translation>Annehmen</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="183" />
        <source>Reject</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="184" />
        <source>Hang up</source>
        <translation>Auflegen</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="185" />
        <source>Hold</source>
        <translation>Halten</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="186" />
        <source>Retrieve</source>
        <translation>Zurückholen</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="187" />
        <source>Mute</source>
        <translation>Stumm</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="188" />
        <source>Unmute</source>
        <translation>Stumm aus</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="189" />
        <source>Transfer…</source>
        <translation>Weiterleiten…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="190" />
        <source>Consult transfer…</source>
        <translation>Rückfrage-Weiterleitung…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="191" />
        <source>Merge…</source>
        <translation>Konferenz…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="196" />
        <source>Softphone</source>
        <translation>Softphone</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="197" />
        <source>Number or SIP address</source>
        <translation>Nummer oder SIP-Adresse</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="198" />
        <source>Number to call</source>
        <translation>Zu wählende Nummer</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="199" />
        <source>Call</source>
        <translation>Anrufen</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="200" />
        <source>Call the number</source>
        <translation>Nummer anrufen</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="201" />
        <source>Redial</source>
        <translation>Wahlwiederholung</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="202" />
        <source>Call the last number again</source>
        <translation>Letzte Nummer erneut wählen</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="203" />
        <source>Settings…</source>
        <translation>Einstellungen…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="204" />
        <source>Open settings</source>
        <translation>Einstellungen öffnen</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="205" />
        <source>Calls</source>
        <translation>Anrufe</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="280" />
        <source>Transfer</source>
        <translation>Weiterleitung</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="280" />
        <source>Transfer to:</source>
        <translation>Weiterleiten an:</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="296" />
        <source>Choose a call</source>
        <translation>Anruf wählen</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="296" />
        <source>With call:</source>
        <translation>Mit Anruf:</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../ui/settings_dialog.py" line="120" />
        <source>Settings</source>
        <extracomment>Each language named in itself, so an agent finds theirs whatever the current one.</extracomment>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Line</source>
        <translation>Leitung</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Calls</source>
        <translation>Anrufe</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>SIP transport</source>
        <translation>SIP-Transport</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="127" />
        <source>Microphone</source>
        <translation>Mikrofon</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="128" />
        <source>Speaker</source>
        <translation>Lautsprecher</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="129" />
        <source>Ringer</source>
        <translation>Klingel</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="130" />
        <source>Speaker volume</source>
        <translation>Lautsprecherlautstärke</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="131" />
        <source>Microphone level</source>
        <translation>Mikrofonpegel</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="132" />
        <source>Speaker level</source>
        <translation>Lautsprecherpegel</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="137" />
        <source>Test devices</source>
        <translation>Geräte testen</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="138" />
        <source>Test the microphone and speaker</source>
        <translation>Mikrofon und Lautsprecher testen</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>DTMF method</source>
        <translation>DTMF-Verfahren</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>Auto-answer</source>
        <translation>Automatische Annahme</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>Language</source>
        <translation>Sprache</translation>
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
        <translation>Töne im Sprachkanal</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="149" />
        <source>Answer incoming calls automatically</source>
        <translation>Eingehende Anrufe automatisch annehmen</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="189" />
        <source>Microphone %1 dBFS, speaker %2 dBFS</source>
        <translation>Mikrofon %1 dBFS, Lautsprecher %2 dBFS</translation>
    </message>
</context>
</TS>