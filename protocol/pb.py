"""One namespace for every ``softphone.v1`` message and enum.

``from protocol import pb`` then ``pb.Envelope``, ``pb.Command``, ``pb.CALL_STATE_RINGING``.
"""

from protocol.softphone.v1.commands_pb2 import *  # noqa: F403
from protocol.softphone.v1.common_pb2 import *  # noqa: F403
from protocol.softphone.v1.envelope_pb2 import *  # noqa: F403
from protocol.softphone.v1.events_pb2 import *  # noqa: F403
