<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>CallTableModel</name>
    <message>
        <location filename="../ui/calls_model.py" line="51" />
        <source>Remote party</source>
        <translation>Remote party</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="52" />
        <source>Direction</source>
        <translation>Direction</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="53" />
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="54" />
        <source>Duration</source>
        <translation>Duration</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="55" />
        <source>Codec</source>
        <translation>Codec</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="56" />
        <source>Quality</source>
        <translation>Quality</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="61" />
        <source>Dialing</source>
        <translation>Dialing</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="62" />
        <source>Ringing back</source>
        <translation>Ringing back</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="63" />
        <source>Incoming</source>
        <translation>Incoming</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="64" />
        <source>Connecting</source>
        <translation>Connecting</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="65" />
        <source>Connected</source>
        <translation>Connected</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="66" />
        <source>On hold</source>
        <translation>On hold</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="67" />
        <source>Ended</source>
        <translation>Ended</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="136" />
        <source>Turned away</source>
        <translation>Turned away</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="129" />
        <source>In</source>
        <translation>In</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="129" />
        <source>Out</source>
        <translation>Out</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="132" />
        <source>muted</source>
        <translation>muted</translation>
    </message>
</context>
<context>
    <name>DialPad</name>
    <message>
        <location filename="../ui/window.py" line="70" />
        <source>Key %1</source>
        <extracomment>Buttons under the call list, in order: (action, object name).</extracomment>
        <translation>Key %1</translation>
    </message>
</context>
<context>
    <name>IncomingCallToast</name>
    <message>
        <location filename="../ui/toast.py" line="48" />
        <location filename="../ui/toast.py" line="54" />
        <source>Incoming call</source>
        <translation>Incoming call</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="50" />
        <source>Answer</source>
        <translation>Answer</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="51" />
        <source>Answer incoming call</source>
        <translation>Answer incoming call</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="52" />
        <source>Reject</source>
        <translation>Reject</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="53" />
        <source>Reject incoming call</source>
        <translation>Reject incoming call</translation>
    </message>
</context>
<context>
    <name>LinkBanner</name>
    <message>
        <location filename="../ui/status.py" line="21" />
        <source>Connection status</source>
        <translation>Connection status</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="27" />
        <source>Connecting to the phone adapter on your workstation…</source>
        <translation>Connecting to the phone adapter on your workstation…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="29" />
        <source>Connection to the phone adapter lost; reconnecting. Calls in progress continue on your headset.</source>
        <translation>Connection to the phone adapter lost; reconnecting. Calls in progress continue on your headset.</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="33" />
        <source>The phone adapter cannot be reached. Check that the softphone adapter is running on your workstation; the phone keeps retrying.</source>
        <translation>The phone adapter cannot be reached. Check that the softphone adapter is running on your workstation; the phone keeps retrying.</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="37" />
        <source>The phone adapter on your workstation is not compatible with this app. Ask IT to update it.</source>
        <translation>The phone adapter on your workstation is not compatible with this app. Ask IT to update it.</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="40" />
        <source>The phone is closed.</source>
        <translation>The phone is closed.</translation>
    </message>
</context>
<context>
    <name>PhoneStatusBar</name>
    <message>
        <location filename="../ui/status.py" line="79" />
        <source>Not registered</source>
        <translation>Not registered</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="80" />
        <source>Registering…</source>
        <translation>Registering…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="81" />
        <source>Registered</source>
        <translation>Registered</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="82" />
        <source>Unregistering…</source>
        <translation>Unregistering…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="83" />
        <source>Registration failed</source>
        <translation>Registration failed</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="84" />
        <source>Direct calls only</source>
        <translation>Direct calls only</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="86" />
        <source>Unknown</source>
        <translation>Unknown</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="90" />
        <source>Virtual channel (RDP)</source>
        <translation>Virtual channel (RDP)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="91" />
        <source>Virtual channel (Citrix)</source>
        <translation>Virtual channel (Citrix)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="92" />
        <source>gRPC fallback (TLS)</source>
        <translation>gRPC fallback (TLS)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="93" />
        <source>gRPC fallback</source>
        <translation>gRPC fallback</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="94" />
        <location filename="../ui/status.py" line="95" />
        <source>Local socket</source>
        <translation>Local socket</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="96" />
        <source>Loopback simulator</source>
        <translation>Loopback simulator</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="97" />
        <source>In-process</source>
        <translation>In-process</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="108" />
        <source>No line</source>
        <translation>No line</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="109" />
        <source>Registration</source>
        <translation>Registration</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="111" />
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="114" />
        <source>Media on workstation</source>
        <translation>Media on workstation</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="114" />
        <source>Media in this desktop</source>
        <translation>Media in this desktop</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="116" />
        <source>Media</source>
        <translation>Media</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="118" />
        <source>Adapter %1</source>
        <translation>Adapter %1</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="119" />
        <source>Adapter version</source>
        <translation>Adapter version</translation>
    </message>
</context>
<context>
    <name>PhoneViewModel</name>
    <message>
        <location filename="../ui/viewmodel.py" line="91" />
        <source>Dial</source>
        <extracomment>Runs an action on the phone, off the GUI thread; outcome comes back via ``command_done``. A call started ringing here: its id. A call stopped ringing (answered, rejected, cancelled): its id. A command failed: a message for the agent. The language changed (by the agent or a desktop application). An audio device test finished: microphone and speaker levels in dBFS.</extracomment>
        <translation>Dial</translation>
    </message>
    <message>
        <location filename="../ui/viewmodel.py" line="108" />
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../ui/viewmodel.py" line="111" />
        <source>Register</source>
        <translation>Register</translation>
    </message>
</context>
<context>
    <name>PhoneWindow</name>
    <message>
        <location filename="../ui/window.py" line="182" />
        <source>Answer</source>
        <translation>Answer</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="183" />
        <source>Reject</source>
        <translation>Reject</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="184" />
        <source>Hang up</source>
        <translation>Hang up</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="185" />
        <source>Hold</source>
        <translation>Hold</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="186" />
        <source>Retrieve</source>
        <translation>Retrieve</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="187" />
        <source>Mute</source>
        <translation>Mute</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="188" />
        <source>Unmute</source>
        <translation>Unmute</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="189" />
        <source>Transfer…</source>
        <translation>Transfer…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="190" />
        <source>Consult transfer…</source>
        <translation>Consult transfer…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="191" />
        <source>Merge…</source>
        <translation>Merge…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="196" />
        <source>Softphone</source>
        <translation>Softphone</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="197" />
        <source>Number or SIP address</source>
        <translation>Number or SIP address</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="198" />
        <source>Number to call</source>
        <translation>Number to call</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="199" />
        <source>Call</source>
        <translation>Call</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="200" />
        <source>Call the number</source>
        <translation>Call the number</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="201" />
        <source>Redial</source>
        <translation>Redial</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="202" />
        <source>Call the last number again</source>
        <translation>Call the last number again</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="203" />
        <source>Settings…</source>
        <translation>Settings…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="204" />
        <source>Open settings</source>
        <translation>Open settings</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="205" />
        <source>Calls</source>
        <translation>Calls</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="280" />
        <source>Transfer</source>
        <translation>Transfer</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="280" />
        <source>Transfer to:</source>
        <translation>Transfer to:</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="296" />
        <source>Choose a call</source>
        <translation>Choose a call</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="296" />
        <source>With call:</source>
        <translation>With call:</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../ui/settings_dialog.py" line="120" />
        <source>Settings</source>
        <extracomment>Each language named in itself, so an agent finds theirs whatever the current one.</extracomment>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Line</source>
        <translation>Line</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Calls</source>
        <translation>Calls</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>User</source>
        <translation>User</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>SIP transport</source>
        <translation>SIP transport</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="127" />
        <source>Microphone</source>
        <translation>Microphone</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="128" />
        <source>Speaker</source>
        <translation>Speaker</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="129" />
        <source>Ringer</source>
        <translation>Ringer</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="130" />
        <source>Speaker volume</source>
        <translation>Speaker volume</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="131" />
        <source>Microphone level</source>
        <translation>Microphone level</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="132" />
        <source>Speaker level</source>
        <translation>Speaker level</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="137" />
        <source>Test devices</source>
        <translation>Test devices</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="138" />
        <source>Test the microphone and speaker</source>
        <translation>Test the microphone and speaker</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>DTMF method</source>
        <translation>DTMF method</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>Auto-answer</source>
        <translation>Auto-answer</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>Language</source>
        <translation>Language</translation>
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
        <translation>In-band tones</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="149" />
        <source>Answer incoming calls automatically</source>
        <translation>Answer incoming calls automatically</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="189" />
        <source>Microphone %1 dBFS, speaker %2 dBFS</source>
        <translation>Microphone %1 dBFS, speaker %2 dBFS</translation>
    </message>
</context>
</TS>