"""HTTP routes of the signing area: validate signed PDFs (any officer or service), sign with a card image
(the production centre's services), fetch the citizen signing CA and its CRL.  Thin: parse, call, shape."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import anyio.to_thread
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from citizenid.auth.api import CurrentPrincipal
from citizenid.auth.domain import Permission
from citizenid.chip.service import ChipImage
from citizenid.errors import CitizenIdError, InvalidInput
from citizenid.signing.service import MAX_PDF_BYTES, SigningService

router = APIRouter(prefix="/api/v1/signing", tags=["signing"])
PDF = "application/pdf"


def signing(request: Request) -> SigningService:
    service: SigningService = request.app.state.container.signing
    return service


async def _pdf_body(request: Request) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_PDF_BYTES:
            raise InvalidInput(f"the document is larger than {MAX_PDF_BYTES // (1024 * 1024)} MiB")
    return bytes(body)


@router.post("/validate", openapi_extra={"requestBody": {"content": {PDF: {"schema": {"type": "string",
                                                                                       "format": "binary"}}}}})
async def validate(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """Validate every signature of the PDF in the body against the citizen signing CA and its CRL."""
    principal.require(Permission.SIGNATURE_VALIDATE)
    pdf = await _pdf_body(request)
    report = await anyio.to_thread.run_sync(signing(request).validate_pdf, pdf)
    return report.as_dict()


class SignBody(BaseModel):
    pdf: str = Field(description="the PDF, base64", max_length=MAX_PDF_BYTES * 4 // 3 + 4)
    card_image: str = Field(description="the card's chip image file, base64", max_length=2_000_000)
    pin: str = Field(min_length=1, max_length=12, description="the holder's signing PIN")
    timestamp: bool = Field(default=False, description="PAdES B-T: add a time stamp from the project's TSA")
    reason: str | None = Field(default=None, max_length=200)
    location: str | None = Field(default=None, max_length=200)


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{what} is not base64") from None


@router.post("/sign")
def sign(body: SignBody, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """Sign with a virtual card.  The card image comes back too: its PIN counter may have moved."""
    principal.require(Permission.DOCUMENT_SIGN)
    image = ChipImage.from_bytes(_b64(body.card_image, "card_image"))
    pdf = _b64(body.pdf, "pdf")
    try:
        signed = signing(request).sign_pdf_with_image(pdf, image, body.pin, timestamp=body.timestamp,
                                                      reason=body.reason, location=body.location)
    except CitizenIdError as error:
        # The card's PIN counter is part of the answer even when signing is refused (a wrong PIN costs a try).
        error.extra["card_image"] = base64.b64encode(image.to_bytes()).decode()
        raise
    return {"signed_pdf": base64.b64encode(signed).decode(), "card_image": base64.b64encode(image.to_bytes()).decode()}


@router.get("/ca", response_class=Response, responses={200: {"content": {"application/x-pem-file": {}}}})
def ca_certificate(request: Request, principal: CurrentPrincipal) -> Response:
    """The citizen signing CA certificate (PEM): what a verifier trusts."""
    principal.require(Permission.SIGNATURE_VALIDATE)
    pem = signing(request).chain()[0].public_bytes(Encoding.PEM)
    return Response(pem, media_type="application/x-pem-file")


@router.get("/crl", response_class=Response, responses={200: {"content": {"application/pkix-crl": {}}}})
def crl(request: Request, principal: CurrentPrincipal) -> Response:
    """The citizen signing CA's current CRL (DER)."""
    principal.require(Permission.SIGNATURE_VALIDATE)
    return Response(signing(request).crl().public_bytes(Encoding.DER), media_type="application/pkix-crl")
