"""Zoho's error shapes (common.json `API_Exception`): {"code", "details", "message", "status": "error"}."""

from django.http import JsonResponse


class ZohoError(Exception):
    """An error answered for the whole request."""

    def __init__(self, code: str, message: str, details: dict | None = None, status: int = 400, headers=None):
        super().__init__(message)
        self.code, self.message, self.details, self.status = code, message, details or {}, status
        self.headers = headers or {}

    def body(self) -> dict:
        return error_body(self.code, self.message, self.details)

    def response(self) -> JsonResponse:
        response = JsonResponse(self.body(), status=self.status)
        for name, value in self.headers.items():
            response[name] = value
        return response


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"code": code, "details": details or {}, "message": message, "status": "error"}


class RecordError(Exception):
    """An error for one record of a write (returned inside `data[]`)."""

    def __init__(self, code: str, message: str, details: dict):
        super().__init__(message)
        self.code, self.message, self.details = code, message, details

    def body(self) -> dict:
        return error_body(self.code, self.message, self.details)


def invalid_token() -> ZohoError:
    return ZohoError("INVALID_TOKEN", "invalid oauth token", status=401)


def scope_mismatch() -> ZohoError:
    return ZohoError("OAUTH_SCOPE_MISMATCH", "Unauthorized", status=401)


def required_param(name: str) -> ZohoError:
    return ZohoError("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                     {"param_name": name, "param": name})


def invalid_param(name: str, message: str = "invalid data", **details) -> ZohoError:
    return ZohoError("INVALID_DATA", message, {"param_name": name, "param": name, **details})


def invalid_module(index: int = 2) -> ZohoError:
    return ZohoError("INVALID_MODULE", "the module name given seems to be invalid", {"resource_path_index": index})


def invalid_url() -> ZohoError:
    return ZohoError("INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one", status=404)
