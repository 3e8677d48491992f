<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="fr" sourcelanguage="en">
<context>
    <name>CallTableModel</name>
    <message>
        <location filename="../ui/calls_model.py" line="51" />
        <source>Remote party</source>
        <translation>Correspondant</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="52" />
        <source>Direction</source>
        <translation>Sens</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="53" />
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="54" />
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="55" />
        <source>Codec</source>
        <translation>Codec</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="56" />
        <source>Quality</source>
        <translation>Qualité</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="61" />
        <source>Dialing</source>
        <translation>Numérotation</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="62" />
        <source>Ringing back</source>
        <translation>Sonnerie distante</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="63" />
        <source>Incoming</source>
        <translation>Entrant</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="64" />
        <source>Connecting</source>
        <translation>Connexion</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="65" />
        <source>Connected</source>
        <translation>En ligne</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="66" />
        <source>On hold</source>
        <translation>En attente</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="67" />
        <source>Ended</source>
        <translation>Terminé</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="136" />
        <source>Turned away</source>
        <translation>Refusé</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="129" />
        <source>In</source>
        <translation>Entrant</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="129" />
        <source>Out</source>
        <translation>Sortant</translation>
    </message>
    <message>
        <location filename="../ui/calls_model.py" line="132" />
        <source>muted</source>
        <translation>micro coupé</translation>
    </message>
</context>
<context>
    <name>DialPad</name>
    <message>
        <location filename="../ui/window.py" line="70" />
        <source>Key %1</source>
        <extracomment>Buttons under the call list, in order: (action, object name).</extracomment>
        <translation>Touche %1</translation>
    </message>
</context>
<context>
    <name>IncomingCallToast</name>
    <message>
        <location filename="../ui/toast.py" line="48" />
        <location filename="../ui/toast.py" line="54" />
        <source>Incoming call</source>
        <translation>Appel entrant</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="50" />
        <source>Answer</source>
        <translation>Répondre</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="51" />
        <source>Answer incoming call</source>
        <translation>Répondre à l'appel entrant</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="52" />
        <source>Reject</source>
        <translation>Refuser</translation>
    </message>
    <message>
        <location filename="../ui/toast.py" line="53" />
        <source>Reject incoming call</source>
        <translation>Refuser l'appel entrant</translation>
    </message>
</context>
<context>
    <name>LinkBanner</name>
    <message>
        <location filename="../ui/status.py" line="21" />
        <source>Connection status</source>
        <translation>État de la connexion</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="27" />
        <source>Connecting to the phone adapter on your workstation…</source>
        <translation>Connexion à l'adaptateur téléphonique de votre poste…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="29" />
        <source>Connection to the phone adapter lost; reconnecting. Calls in progress continue on your headset.</source>
        <translation>Connexion à l'adaptateur téléphonique perdue ; reconnexion en cours. Les appels en cours continuent dans votre casque.</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="33" />
        <source>The phone adapter cannot be reached. Check that the softphone adapter is running on your workstation; the phone keeps retrying.</source>
        <translation>L'adaptateur téléphonique est injoignable. Vérifiez qu'il fonctionne sur votre poste ; le téléphone réessaie sans cesse.</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="37" />
        <source>The phone adapter on your workstation is not compatible with this app. Ask IT to update it.</source>
        <translation>L'adaptateur téléphonique de votre poste n'est pas compatible avec cette application. Demandez au service informatique de le mettre à jour.</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="40" />
        <source>The phone is closed.</source>
        <translation>Le téléphone est fermé.</translation>
    </message>
</context>
<context>
    <name>PhoneStatusBar</name>
    <message>
        <location filename="../ui/status.py" line="79" />
        <source>Not registered</source>
        <translation>Non enregistré</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="80" />
        <source>Registering…</source>
        <translation>Enregistrement…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="81" />
        <source>Registered</source>
        <translation>Enregistré</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="82" />
        <source>Unregistering…</source>
        <translation>Désenregistrement…</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="83" />
        <source>Registration failed</source>
        <translation>Échec de l'enregistrement</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="84" />
        <source>Direct calls only</source>
        <translation>Appels directs uniquement</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="86" />
        <source>Unknown</source>
        <translation>Inconnu</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="90" />
        <source>Virtual channel (RDP)</source>
        <translation>Canal virtuel (RDP)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="91" />
        <source>Virtual channel (Citrix)</source>
        <translation>Canal virtuel (Citrix)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="92" />
        <source>gRPC fallback (TLS)</source>
        <translation>Secours gRPC (TLS)</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="93" />
        <source>gRPC fallback</source>
        <translation>Secours gRPC</translation>
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
        <translation>Simulateur en boucle</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="97" />
        <source>In-process</source>
        <translation>Intégré</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="108" />
        <source>No line</source>
        <translation>Aucune ligne</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="109" />
        <source>Registration</source>
        <translation>Enregistrement</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="111" />
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="114" />
        <source>Media on workstation</source>
        <translation>Audio sur le poste</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="114" />
        <source>Media in this desktop</source>
        <translation>Audio dans ce bureau</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="116" />
        <source>Media</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="118" />
        <source>Adapter %1</source>
        <translation>Adaptateur %1</translation>
    </message>
    <message>
        <location filename="../ui/status.py" line="119" />
        <source>Adapter version</source>
        <translation>Version de l'adaptateur</translation>
    </message>
</context>
<context>
    <name>PhoneViewModel</name>
    <message>
        <location filename="../ui/viewmodel.py" line="91" />
        <source>Dial</source>
        <extracomment>Runs an action on the phone, off the GUI thread; outcome comes back via ``command_done``. A call started ringing here: its id. A call stopped ringing (answered, rejected, cancelled): its id. A command failed: a message for the agent. The language changed (by the agent or a desktop application). An audio device test finished: microphone and speaker levels in dBFS.</extracomment>
        <translation>Appeler</translation>
    </message>
    <message>
        <location filename="../ui/viewmodel.py" line="108" />
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../ui/viewmodel.py" line="111" />
        <source>Register</source>
        <translation>Enregistrer</translation>
    </message>
</context>
<context>
    <name>PhoneWindow</name>
    <message>
        <location filename="../ui/window.py" line="182" />
        <source>Answer</source>
        <translation>Répondre</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="183" />
        <source>Reject</source>
        <translation>Refuser</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="184" />
        <source>Hang up</source>
        <translation>Raccrocher</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="185" />
        <source>Hold</source>
        <translation>Mettre en attente</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="186" />
        <source>Retrieve</source>
        <translation>Reprendre</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="187" />
        <source>Mute</source>
        <translation>Couper le micro</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="188" />
        <source>Unmute</source>
        <translation>Rétablir le micro</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="189" />
        <source>Transfer…</source>
        <translation>Transférer…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="190" />
        <source>Consult transfer…</source>
        <translation>Transfert supervisé…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="191" />
        <source>Merge…</source>
        <translation>Conférence…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="196" />
        <source>Softphone</source>
        <translation>Softphone</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="197" />
        <source>Number or SIP address</source>
        <translation>Numéro ou adresse SIP</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="198" />
        <source>Number to call</source>
        <translation>Numéro à appeler</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="199" />
        <source>Call</source>
        <translation>Appeler</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="200" />
        <source>Call the number</source>
        <translation>Appeler le numéro</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="201" />
        <source>Redial</source>
        <translation>Rappeler</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="202" />
        <source>Call the last number again</source>
        <translation>Rappeler le dernier numéro</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="203" />
        <source>Settings…</source>
        <translation>Paramètres…</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="204" />
        <source>Open settings</source>
        <translation>Ouvrir les paramètres</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="205" />
        <source>Calls</source>
        <translation>Appels</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="280" />
        <source>Transfer</source>
        <translation>Transfert</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="280" />
        <source>Transfer to:</source>
        <translation>Transférer vers :</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="296" />
        <source>Choose a call</source>
        <translation>Choisir un appel</translation>
    </message>
    <message>
        <location filename="../ui/window.py" line="296" />
        <source>With call:</source>
        <translation>Avec l'appel :</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../ui/settings_dialog.py" line="120" />
        <source>Settings</source>
        <extracomment>Each language named in itself, so an agent finds theirs whatever the current one.</extracomment>
        <translation>Paramètres</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Line</source>
        <translation>Ligne</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121" />
        <source>Calls</source>
        <translation>Appels</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>User</source>
        <translation>Utilisateur</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>Server</source>
        <translation>Serveur</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="124" />
        <source>SIP transport</source>
        <translation>Transport SIP</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="127" />
        <source>Microphone</source>
        <translation>Microphone</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="128" />
        <source>Speaker</source>
        <translation>Haut-parleur</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="129" />
        <source>Ringer</source>
        <translation>Sonnerie</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="130" />
        <source>Speaker volume</source>
        <translation>Volume du haut-parleur</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="131" />
        <source>Microphone level</source>
        <translation>Niveau du micro</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="132" />
        <source>Speaker level</source>
        <translation>Niveau du haut-parleur</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="137" />
        <source>Test devices</source>
        <translation>Tester les appareils</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="138" />
        <source>Test the microphone and speaker</source>
        <translation>Tester le micro et le haut-parleur</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>DTMF method</source>
        <translation>Méthode DTMF</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>Auto-answer</source>
        <translation>Réponse automatique</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="140" />
        <source>Language</source>
        <translation>Langue</translation>
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
        <translation>Tonalités dans la voix</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="149" />
        <source>Answer incoming calls automatically</source>
        <translation>Répondre automatiquement aux appels entrants</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="189" />
        <source>Microphone %1 dBFS, speaker %2 dBFS</source>
        <translation>Micro %1 dBFS, haut-parleur %2 dBFS</translation>
    </message>
</context>
</TS>