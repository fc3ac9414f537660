"""``python -m dvc_thuongtru --platform URL --client-id ID --key key.pem [--port 8100]``"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from dvc_thuongtru.app import create_service_app
from dvc_thuongtru.platform import PlatformClient


def main() -> int:
    parser = argparse.ArgumentParser(prog="dvc_thuongtru", description=__doc__)
    parser.add_argument("--platform", default="http://127.0.0.1:8000", help="the population platform's base URL")
    parser.add_argument("--client-id", required=True, help="this service's client id on the platform")
    parser.add_argument("--key", required=True, type=Path, help="this client's private key (PEM, EC P-256)")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    try:
        key = load_pem_private_key(args.key.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        print(f"error: cannot read the client key {args.key}: {exc}", file=sys.stderr)
        return 2
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        print("error: the client key must be an EC P-256 key", file=sys.stderr)
        return 2
    client = PlatformClient(args.platform.rstrip("/"), args.client_id, key)
    uvicorn.run(create_service_app(client), host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
