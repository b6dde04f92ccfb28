"""The fake miner that serves a hostile case to the real stock client, in-process or on loopback.

In-process, the stock client's RPC reads come straight from the case (``InProcessRpc``) and its web
reads go through an httpx mock transport; on loopback, a real TCP RPC port and a real HTTP/1.1
server with Digest auth serve the same answers and add the wire faults (dripping, silence, a cut
reply, a refused port). Either way the answers are built by one function, :func:`web_answer` and
:func:`rpc_answer`, so both paths serve exactly the same case.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Final

import httpx

from commission.miner import fields as F
from commission.miner.client import StockMinerClient
from commission.miner.rpc import RpcClient
from commission.results import Status
from commission.simulator.web import UNAUTHORIZED_BODY, DigestAuth
from commission.verify.report import MinerReport
from commission.verify.runner import Verifier
from tests.hostile.menu import Case, KernelLogStream, Replies

TIMEOUT_S: Final = 0.5
"""The client's deadline per exchange in the harness."""
DRIP_S: Final = 0.1
VERIFY_DEADLINE_S: Final = 8 * TIMEOUT_S + 10.0
"""The longest one verify may take: a few exchanges' deadlines in a row, plus a wide margin for a
busy machine. A verify that does not end by then has hung."""
_PATHS: Final = {path: cgi for cgi, path in F.CGI_PATHS.items()}


def rpc_answer(replies: Replies, request: bytes) -> bytes:
    """The reply to one RPC request: a single command's bytes, or a joined reply made of them."""
    try:
        command = str(json.loads(request.rstrip(b"\x00\n")).get("command", ""))
    except (ValueError, AttributeError):
        return b'{"STATUS":[{"STATUS":"E","Code":23,"Msg":"Invalid JSON"}],"id":1}\x00'
    if "+" not in command:
        return replies.rpc.get(command, b'{"STATUS":[{"STATUS":"E","Code":14}],"id":1}\x00')
    parts = [
        b'"' + name.encode() + b'":[' + replies.rpc.get(name, b"").rstrip(b"\x00") + b"]"
        for name in dict.fromkeys(command.split("+"))
    ]
    return b"{" + b",".join(parts) + b',"id":1}\x00'


class WebAnswer:
    """One HTTP answer of the fake web UI: status, headers and a body that may be streamed."""

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes | KernelLogStream):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def length(self) -> int:
        """Content-Length of the body."""
        return self.body.size if isinstance(self.body, KernelLogStream) else len(self.body)

    def chunks(self) -> Iterator[bytes]:
        """The body in pieces (a big kernel log is never held whole)."""
        if isinstance(self.body, KernelLogStream):
            yield from self.body.chunks()
        elif self.body:
            yield self.body


class FakeWeb:
    """The web UI's behaviour: Digest login (challenge as the case says), then the CGI bodies."""

    def __init__(self, replies: Replies) -> None:
        self.replies = replies
        self.digest = DigestAuth()

    def _unauthorized(self) -> WebAnswer:
        challenges = self.replies.challenges
        values = (self.digest.challenge(),) if challenges is None else challenges
        headers = [("WWW-Authenticate", value) for value in values]
        return WebAnswer(401, [("Content-Type", "text/html"), *headers], UNAUTHORIZED_BODY.encode())

    def answer(self, method: str, path: str, authorization: str | None) -> WebAnswer:
        """The answer to one request."""
        authorised, _ = self.digest.check(authorization, method, "root", self.replies.web_password)
        if not authorised:
            return self._unauthorized()
        cgi = _PATHS.get(path.split("?", 1)[0])
        body = self.replies.web.get(cgi) if cgi else None
        if cgi == "set_miner_conf" or cgi == "passwd":
            return WebAnswer(200, [], b"ok")
        if body is None:
            return WebAnswer(404, [], b"404 - Not Found\n")
        if isinstance(body, int):
            return WebAnswer(body, [], b"error\n")
        return WebAnswer(200, [], body)


# ------------------------------------------------------------------------------------- in-process


class InProcessRpc(RpcClient):
    """The stock RPC client with its socket exchange replaced by the case's answers."""

    def __init__(self, replies: Replies) -> None:
        super().__init__("127.0.0.1", F.RPC_PORT, TIMEOUT_S)
        self.replies = replies

    async def raw(self, command: str, parameter: str | None = None) -> bytes:
        """What the fake miner answers to ``command``."""
        request = json.dumps({"command": command}).encode()
        return rpc_answer(self.replies, request)


class _Stream(httpx.AsyncByteStream):
    def __init__(self, answer: WebAnswer) -> None:
        self._answer = answer

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._answer.chunks():
            yield chunk


def in_process_client(replies: Replies) -> StockMinerClient:
    """A real stock client whose RPC and web reads are answered in-process by the fake miner."""
    client = StockMinerClient("127.0.0.1", timeout=TIMEOUT_S)
    web = FakeWeb(replies)

    def handle(request: httpx.Request) -> httpx.Response:
        answer = web.answer(
            request.method, request.url.raw_path.decode(), request.headers.get("authorization")
        )
        headers = [
            (name.encode(), value.encode())
            for name, value in [*answer.headers, ("Content-Length", str(answer.length))]
        ]
        return httpx.Response(answer.status, headers=headers, stream=_Stream(answer))

    client.rpc = InProcessRpc(replies)
    client.web = type(client.web)(
        "127.0.0.1",
        F.WEB_PORT,
        TIMEOUT_S,
        http_transport=httpx.MockTransport(handle),
    )
    return client


# ------------------------------------------------------------------------------------- loopback


class LoopbackMiner:
    """The fake miner on 127.0.0.1: an RPC port and a web UI, with the case's wire faults."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.web = FakeWeb(case.replies)
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.api_port = 0
        self.web_port = 0

    async def __aenter__(self) -> LoopbackMiner:
        rpc = await asyncio.start_server(self._tracked(self._rpc), "127.0.0.1", 0)
        web = await asyncio.start_server(self._tracked(self._web), "127.0.0.1", 0)
        self._servers = [rpc, web]
        self.api_port = rpc.sockets[0].getsockname()[1]
        self.web_port = web.sockets[0].getsockname()[1]
        if self.case.wire.rpc == "refuse":
            rpc.close()
            await rpc.wait_closed()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for server in self._servers:
            server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()

    def _tracked(self, handler):  # type: ignore[no-untyped-def]
        async def run(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._tasks.add(task)
            try:
                await handler(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                pass  # the client gave up on us: that is what the wire faults are for
            except asyncio.CancelledError:
                return  # the fake miner is closing while it still drips or waits
            finally:
                self._tasks.discard(task)
                writer.close()

        return run

    async def _send(self, writer: asyncio.StreamWriter, data: bytes, how: str) -> None:
        if how == "drip":
            for index in range(len(data)):
                writer.write(data[index : index + 1])
                await writer.drain()
                await asyncio.sleep(DRIP_S)
        elif how == "slow":
            await asyncio.sleep(VERIFY_DEADLINE_S * 2)
        elif how == "cut":
            writer.write(data[: len(data) // 2])
            await writer.drain()
        else:
            writer.write(data)
            await writer.drain()

    async def _rpc(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.read(F.RPC_MAX_REQUEST)
        await self._send(writer, rpc_answer(self.case.replies, request), self.case.wire.rpc)

    async def _web(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("iso-8859-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            if length:
                await reader.readexactly(length)
            answer = self.web.answer(method, path, headers.get("authorization"))
            head_lines = [f"HTTP/1.1 {answer.status} X"]
            head_lines += [f"{name}: {value}" for name, value in answer.headers]
            head_lines += [f"Content-Length: {answer.length}", "Connection: keep-alive"]
            wire = self.case.wire.web if answer.status == 200 else ""
            out = ("\r\n".join(head_lines) + "\r\n\r\n").encode("utf-8")
            if wire:
                await self._send(writer, out + b"".join(answer.chunks()), wire)
                return
            writer.write(out)
            for chunk in answer.chunks():
                writer.write(chunk)
                await writer.drain()

    def client(self, timeout: float = TIMEOUT_S) -> StockMinerClient:
        """A real stock client pointed at this fake miner."""
        return StockMinerClient(
            "127.0.0.1",
            api_port=self.api_port,
            web_port=self.web_port,
            timeout=timeout,
            web_password=None,
        )


# ------------------------------------------------------------------------------------- running


async def verify(client: StockMinerClient, deadline: float = VERIFY_DEADLINE_S) -> MinerReport:
    """One verify of ``client`` under ``deadline`` (TimeoutError means it hung)."""
    try:
        async with asyncio.timeout(deadline):
            return await Verifier().verify(client)
    finally:
        await client.aclose()


async def verify_in_process(case: Case) -> MinerReport:
    """Verify a case served in-process."""
    return await verify(in_process_client(case.replies))


async def verify_on_loopback(case: Case, timeout: float = TIMEOUT_S) -> MinerReport:
    """Verify a case served on real loopback sockets (``timeout``: the client's per exchange)."""
    async with LoopbackMiner(case) as miner:
        deadline = VERIFY_DEADLINE_S * timeout / TIMEOUT_S
        return await verify(miner.client(timeout), deadline)


def false_passes(report: MinerReport, case: Case) -> list[str]:
    """The tainted checks that said PASS, or SKIPPED as if they did not apply (the oracle: must be
    empty; either would let a run exit 0 on a miner nobody could judge)."""
    return sorted(
        f"{outcome.rule_id} {outcome.status.value}: {outcome.observed}"
        for outcome in report.outcomes
        if outcome.rule_id in case.tainted and outcome.status in {Status.PASS, Status.SKIPPED}
    )
