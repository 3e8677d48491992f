<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="es" sourcelanguage="en">
<context>
    <name>CallTableModel</name>
    <message>
        <location filename="../ui/calls_model.py" line="51" />
        <source>Remote party</source>
        <translation>Interlocutor</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="52" />
        <source>Direction</source>
        <translation>Dirección</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="53" />
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="54" />
        <source>Duration</source>
        <translation>Duración</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="55" />
        <source>Codec</source>
        <translation>Códec</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="56" />
        <source>Quality</source>
        <translation>Calidad</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="61" />
        <source>Dialing</source>
        <translation>Marcando</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="62" />
        <source>Ringing back</source>
        <translation>Sonando</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="63" />
        <source>Incoming</source>
        <translation>Entrante</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="64" />
        <source>Connecting</source>
        <translation>Conectando</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="65" />
        <source>Connected</source>
        <translation>Conectada</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="66" />
        <source>On hold</source>
        <translation>En espera</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="67" />
        <source>Ended</source>
        <translation>Finalizada</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="136" />
        <source>Turned away</source>
        <translation>Rechazada</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="129" />
        <source>In</source>
        <translation>Entrante</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="129" />
        <source>Out</source>
        <translation>Saliente</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="132" />
        <source>muted</source>
        <translation>silenciado</translation>
    </message>
</context>
<context>
    <name>DialPad</name>
    <message>
        <location filename="../ui/window.py" line="70" />
        <source>Key %1</source>
        <extracomment>Buttons under the call list, in order: (action, object name).</extracomment>
        <translation>Tecla %1</translation>
    </message>
</context>
<context>
    <name>IncomingCallToast</name>
    <message>
        <location filename="../ui/toast.py" line="48" />
        <location filename="../ui/toast.py" line="54" />
        <source>Incoming call</source>
        <translation>Llamada entrante</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="50" />
        <source>Answer</source>
        <translation>Contestar</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="51" />
        <source>Answer incoming call</source>
        <translation>Contestar la llamada entrante</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="52" />
        <source>Reject</source>
        <translation>Rechazar</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="53" />
        <source>Reject incoming call</source>
        <translation>Rechazar la llamada entrante</translation>
    </message>
</context>
<context>
    <name>LinkBanner</name>
    <message>
        <location filename="../ui/status.py" line="21" />
        <source>Connection status</source>
        <translation>Estado de la conexión</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="27" />
        <source>Connecting to the phone adapter on your workstation…</source>
        <translation>Conectando con el adaptador telefónico de su puesto…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="29" />
        <source>Connection to the phone adapter lost; reconnecting. Calls in progress continue on your headset.</source>
        <translation>Se perdió la conexión con el adaptador telefónico; reconectando. Las llamadas en curso continúan en sus auriculares.</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="33" />
        <source>The phone adapter cannot be reached. Check that the softphone adapter is running on your workstation; the phone keeps retrying.</source>
        <translation>No se puede contactar con el adaptador telefónico. Compruebe que el adaptador del softphone funciona en su puesto; el teléfono sigue reintentando.</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="37" />
        <source>The phone adapter on your workstation is not compatible with this app. Ask IT to update it.</source>
        <translation>El adaptador telefónico de su puesto no es compatible con esta aplicación. Pida a informática que lo actualice.</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="40" />
        <source>The phone is closed.</source>
        <translation>El teléfono está cerrado.</translation>
    </message>
</context>
<context>
    <name>PhoneStatusBar</name>
    <message>
        <location filename="../ui/status.py" line="79" />
        <source>Not registered</source>
        <translation>No registrado</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="80" />
        <source>Registering…</source>
        <translation>Registrando…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="81" />
        <source>Registered</source>
        <translation>Registrado</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="82" />
        <source>Unregistering…</source>
        <translation>Cancelando el registro…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="83" />
        <source>Registration failed</source>
        <translation>Error de registro</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="84" />
        <source>Direct calls only</source>
        <translation>Solo llamadas directas</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="86" />
        <source>Unknown</source>
        <translation>Desconocido</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="90" />
        <source>Virtual channel (RDP)</source>
        <translation>Canal virtual (RDP)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="91" />
        <source>Virtual channel (Citrix)</source>
        <translation>Canal virtual (Citrix)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="92" />
        <source>gRPC fallback (TLS)</source>
        <translation>Alternativa gRPC (TLS)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="93" />
        <source>gRPC fallback</source>
        <translation>Alternativa gRPC</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="94" />
        <location filename="../ui/status.py" line="95" />
        <source>Local socket</source>
        <translation>Socket local</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="96" />
        <source>Loopback simulator</source>
        <translation>Simulador local</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="97" />
        <source>In-process</source>
        <translation>En proceso</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="108" />
        <source>No line</source>
        <translation>Sin línea</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="109" />
        <source>Registration</source>
        <translation>Registro</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="111" />
        <source>Transport</source>
        <translation>Transporte</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="114" />
        <source>Media on workstation</source>
        <translation>Audio en el puesto</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="114" />
        <source>Media in this desktop</source>
        <translation>Audio en este escritorio</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="116" />
        <source>Media</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="118" />
        <source>Adapter %1</source>
        <translation>Adaptador %1</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="119" />
        <source>Adapter version</source>
        <translation>Versión del adaptador</translation>
    </message>
</context>
<context>
    <name>PhoneViewModel</name>
    <message>
        <location filename="../ui/viewmodel.py" line="91" />
        <source>Dial</source>
        <extracomment>Runs an action on the phone, off the GUI thread; outcome comes back via ``command_done``. A call started ringing here: its id. A call stopped ringing (answered, rejected, cancelled): its id. A command failed: a message for the agent. The language changed (by the agent or a desktop application). An audio device test finished: microphone and speaker levels in dBFS.</extracomment>
        <translation>Marcar</translation>
    </message>
    <message>
        <location filename="../ui/viewmodel.py" line="108" />
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../ui/viewmodel.py" line="111" />
        <source>Register</source>
        <translation>Registrar</translation>
    </message>
</context>
<context>
    <name>PhoneWindow</name>
    <message>
        <location filename="../ui/window.py" line="182" />
        <source>Answer</source>
        <translation>Contestar</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="183" />
        <source>Reject</source>
        <translation>Rechazar</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="184" />
        <source>Hang up</source>
        <translation>Colgar</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="185" />
        <source>Hold</source>
        <translation>Retener</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="186" />
        <source>Retrieve</source>
        <translation>Recuperar</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="187" />
        <source>Mute</source>
        <translation>Silenciar</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="188" />
        <source>Unmute</source>
        <translation>Activar micrófono</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="189" />
        <source>Transfer…</source>
        <translation>Transferir…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="190" />
        <source>Consult transfer…</source>
        <translation>Transferencia consultada…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="191" />
        <source>Merge…</source>
        <translation>Conferencia…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="196" />
        <source>Softphone</source>
        <translation>Softphone</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="197" />
        <source>Number or SIP address</source>
        <translation>Número o dirección SIP</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="198" />
        <source>Number to call</source>
        <translation>Número al que llamar</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="199" />
        <source>Call</source>
        <translation>Llamar</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="200" />
        <source>Call the number</source>
        <translation>Llamar al número</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="201" />
        <source>Redial</source>
        <translation>Rellamar</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="202" />
        <source>Call the last number again</source>
        <translation>Volver a llamar al último número</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="203" />
        <source>Settings…</source>
        <translation>Ajustes…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="204" />
        <source>Open settings</source>
        <translation>Abrir los ajustes</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="205" />
        <source>Calls</source>
        <translation>Llamadas</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="280" />
        <source>Transfer</source>
        <translation>Transferencia</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="280" />
        <source>Transfer to:</source>
        <translation>Transferir a:</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="296" />
        <source>Choose a call</source>
        <translation>Elija una llamada</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="296" />
        <source>With call:</source>
        <translation>Con la llamada:</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../ui/settings_dialog.py" line="120" />
        <source>Settings</source>
        <extracomment>Each language named in itself, so an agent finds theirs whatever the current one.</extracomment>
        <translation>Ajustes</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Line</source>
        <translation>Línea</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Calls</source>
        <translation>Llamadas</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>User</source>
        <translation>Usuario</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>Server</source>
        <translation>Servidor</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>SIP transport</source>
        <translation>Transporte SIP</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="127" />
        <source>Microphone</source>
        <translation>Micrófono</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="128" />
        <source>Speaker</source>
        <translation>Altavoz</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="129" />
        <source>Ringer</source>
        <translation>Timbre</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="130" />
        <source>Speaker volume</source>
        <translation>Volumen del altavoz</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="131" />
        <source>Microphone level</source>
        <translation>Nivel del micrófono</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="132" />
        <source>Speaker level</source>
        <translation>Nivel del altavoz</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="137" />
        <source>Test devices</source>
        <translation>Probar dispositivos</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="138" />
        <source>Test the microphone and speaker</source>
        <translation>Probar el micrófono y el altavoz</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>DTMF method</source>
        <translation>Método DTMF</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>Auto-answer</source>
        <translation>Respuesta automática</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>Language</source>
        <translation>Idioma</translation>
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
        <translation>Tonos en banda</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="149" />
        <source>Answer incoming calls automatically</source>
        <translation>Contestar automáticamente las llamadas entrantes</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="189" />
        <source>Microphone %1 dBFS, speaker %2 dBFS</source>
        <translation>Micrófono %1 dBFS, altavoz %2 dBFS</translation>
    </message>
</context>
</TS>