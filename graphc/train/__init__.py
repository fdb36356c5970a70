"""`tf.train`: optimizers, global step, learning-rate schedules, Saver and checkpoints,
MonitoredTrainingSession and its hooks, SessionManager and Supervisor, the cluster names
(ClusterSpec, Server, replica_device_setter: one process)."""
from .optimizer import (AdagradOptimizer, AdamOptimizer, GradientDescentOptimizer,  # noqa: F401
                        MomentumOptimizer, Optimizer, RMSPropOptimizer)
from .saver import (CheckpointReader, NewCheckpointReader, Saver, checkpoint_exists,  # noqa: F401
                    get_checkpoint_state, import_meta_graph, latest_checkpoint, list_variables,
                    load_checkpoint, load_variable, remove_checkpoint)
from .schedules import (create_global_step, exponential_decay, get_global_step,  # noqa: F401
                        get_or_create_global_step, global_step, inverse_time_decay,
                        piecewise_constant)
from .graph_io import read_graph, write_graph  # noqa: F401
from .checkpoint_utils import init_from_checkpoint  # noqa: F401
from .meta_graph import export_meta_graph  # noqa: F401
from ..protos.meta_graph import SaverDef  # noqa: F401
from .coordinator import Coordinator  # noqa: F401
from .hooks import (CheckpointSaverHook, CheckpointSaverListener, FeedFnHook,  # noqa: F401
                    FinalOpsHook, LoggingTensorHook, NanLossDuringTrainingError,
                    NanTensorHook, ProfilerHook, SecondOrStepTimer, SessionRunArgs,
                    SessionRunContext, SessionRunHook, SessionRunValues, StepCounterHook,
                    StopAtStepHook, SummarySaverHook)
from .monitored_session import (ChiefSessionCreator, MonitoredSession,  # noqa: F401
                                MonitoredTrainingSession, Scaffold, SessionCreator,
                                SingularMonitoredSession, WorkerSessionCreator)
from .input import (FixedLengthRecordReader, IdentityReader, TextLineReader,  # noqa: F401
                    TFRecordReader, WholeFileReader, batch, batch_join, input_producer,
                    limit_epochs, match_filenames_once, maybe_batch, maybe_batch_join,
                    maybe_shuffle_batch, maybe_shuffle_batch_join, range_input_producer,
                    shuffle_batch, shuffle_batch_join, slice_input_producer,
                    string_input_producer)
from . import queue_runner  # noqa: F401  (tf.train.queue_runner)
from .queue_runner import QueueRunner, add_queue_runner, start_queue_runners  # noqa: F401
from ..protos.example import (BytesList, Example, Feature, FeatureList,  # noqa: F401
                              FeatureLists, Features, FloatList, Int64List, SequenceExample)
from .optimizers_extra import (AdadeltaOptimizer, AdagradDAOptimizer, FtrlOptimizer,  # noqa: F401
                               ProximalAdagradOptimizer, ProximalGradientDescentOptimizer)
from .moving_averages import ExponentialMovingAverage  # noqa: F401
from .sync_replicas import SyncReplicasOptimizer  # noqa: F401
from .decay import (cosine_decay, cosine_decay_restarts, linear_cosine_decay,  # noqa: F401
                    natural_exp_decay, noisy_linear_cosine_decay, piecewise_constant_decay,
                    polynomial_decay)
from .session_manager import SessionManager  # noqa: F401
from .supervisor import LooperThread, Supervisor, basic_train_loop  # noqa: F401
from .cluster import ClusterSpec, Server, replica_device_setter  # noqa: F401
from .checkpoint_management import (checkpoints_iterator,  # noqa: F401
                                    generate_checkpoint_state_proto, get_checkpoint_mtimes,
                                    update_checkpoint_state)
from .global_step_waiter import GlobalStepWaiterHook, assert_global_step  # noqa: F401
from .checkpoint import Checkpoint, CheckpointManager, CheckpointOptions  # noqa: F401,E402
from .checkpoint_utils import VocabInfo, warm_start  # noqa: F401,E402
from ..protos.summary import ClusterDef, JobDef, ServerDef  # noqa: F401,E402
from ..summary_extra import summary_iterator  # noqa: F401,E402
