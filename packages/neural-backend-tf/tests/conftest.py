"""Test set-up of neural-backend-tf: quiet TF, one thread per pool; makes ``tf_support`` importable.

The whole suite shares this one process, so TensorFlow is imported once
(about 8 s); torch is never imported here (the cross-backend tests at the
root run each framework in its own process).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["KERAS_BACKEND"] = "tensorflow"
sys.path.insert(0, str(Path(__file__).parent))

from neural_backend_tf.backend import import_keras

import_keras(threads=1)
