#!/usr/bin/env python3
"""A stand-in for a ComfyUI server, for photopipe's tests: not ComfyUI, and no model.

It follows ComfyUI's documented HTTP API: POST /upload/image (multipart: image, type, overwrite;
answers {name, subfolder, type}), POST /prompt ({prompt, client_id}; answers {prompt_id, number,
node_errors}, or HTTP 400 with {error, node_errors}), GET /history/{prompt_id} ({} until done,
then {id: {prompt, outputs: {node: {images: [{filename, subfolder, type}]}}, status}}), GET /view
(?filename&subfolder&type) and POST /queue ({delete: [...]}).

"Generating" means: take the image the workflow's LoadImage node names, and
  background  put a new background (green) behind the product, leaving its pixels alone;
  alter       the same, and also recolour the product (a generator that "improved" it);
  never       never finish (history stays {});
  refuse      refuse the workflow at /prompt as ComfyUI does when validation fails;
  error       finish with an execution error.

Usage: comfyui_standin.py MODE LOGFILE. Prints the port it listens on, then serves.
"""
import json, struct, sys, uuid, zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

MODE, LOG = sys.argv[1], sys.argv[2]
BACKGROUND = (40, 170, 70)
inputs, outputs, history, polls = {}, {}, {}, {}


def png_decode(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8, "8-bit only"
    bands = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw, stride, rows, prev = zlib.decompress(idat), width * bands, [], bytearray(width * bands)
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = row[i - bands] if i >= bands else 0
            b = prev[i]
            c = prev[i - bands] if i >= bands else 0
            if kind == 1: row[i] = (row[i] + a) & 255
            elif kind == 2: row[i] = (row[i] + b) & 255
            elif kind == 3: row[i] = (row[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(row)
        prev = row
    return width, height, bands, rows


def png_encode_rgb(width, height, rows):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def generate(image_name):
    width, height, bands, rows = png_decode(inputs[image_name])
    out = []
    for row in rows:
        line = bytearray()
        for x in range(width):
            px = row[x * bands:(x + 1) * bands]
            alpha = px[3] / 255 if bands == 4 else 1
            r, g, b = px[0], px[1], px[2]
            if MODE == "alter" and alpha > 0:
                r, g, b = b, g // 2, r
            line += bytes(round(v * alpha + bg * (1 - alpha)) for v, bg in zip((r, g, b), BACKGROUND))
        out.append(line)
    return png_encode_rgb(width, height, out)


class StandIn(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, kind="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def note(self, entry):
        with open(LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        path = urlparse(self.path).path
        if path == "/upload/image":
            fields, files = multipart(self.headers["Content-Type"], body)
            if "image" not in files:
                return self.answer(400, {"error": "no image"})
            filename, data = files["image"]
            inputs[filename] = data
            self.note({"route": "upload", "name": filename, "type": fields.get("type"), "overwrite": fields.get("overwrite")})
            return self.answer(200, {"name": filename, "subfolder": "", "type": fields.get("type", "input")})
        if path == "/prompt":
            request = json.loads(body)
            workflow = request.get("prompt", {})
            self.note({"route": "prompt", "client_id": request.get("client_id"), "prompt": workflow})
            loads = [n for n in workflow.values() if n.get("class_type") == "LoadImage"]
            unfilled = [k for k, n in workflow.items() if "{{" in json.dumps(n)]
            missing = [k for k, n in workflow.items() if n.get("class_type") == "LoadImage" and n["inputs"].get("image") not in inputs]
            if MODE == "refuse" or unfilled or missing or not loads:
                bad = (unfilled + missing) or sorted(k for k, n in workflow.items() if n.get("class_type") == "LoadImage")[:1]
                return self.answer(400, {
                    "error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}},
                    "node_errors": {k: {"errors": [{"type": "value_not_valid", "message": "Value not valid", "details": "image: not an uploaded file", "extra_info": {}}],
                                        "dependent_outputs": ["9"], "class_type": workflow.get(k, {}).get("class_type", "?")} for k in bad}})
            prompt_id = str(uuid.uuid4())
            if MODE in ("background", "alter"):
                name = "ComfyUI_%05d_.png" % (len(outputs) + 1)
                outputs[name] = generate(loads[0]["inputs"]["image"])
                history[prompt_id] = {"prompt": [len(history), prompt_id, workflow, {"client_id": request.get("client_id")}, ["9"]],
                                      "outputs": {"9": {"images": [{"filename": name, "subfolder": "", "type": "output"}]}},
                                      "status": {"status_str": "success", "completed": True,
                                                 "messages": [["execution_start", {"prompt_id": prompt_id}], ["execution_success", {"prompt_id": prompt_id}]]}}
            elif MODE == "error":
                history[prompt_id] = {"prompt": [0, prompt_id, workflow, {}, ["9"]], "outputs": {},
                                      "status": {"status_str": "error", "completed": False,
                                                 "messages": [["execution_error", {"prompt_id": prompt_id, "node_id": "4", "node_type": "KSampler",
                                                                                   "exception_message": "CUDA out of memory"}]]}}
            return self.answer(200, {"prompt_id": prompt_id, "number": len(history), "node_errors": {}})
        if path == "/queue":
            self.note({"route": "queue", "body": json.loads(body or b"{}")})
            return self.answer(200, {})
        self.answer(404, {"error": "no route"})

    def do_GET(self):
        url = urlparse(self.path)
        if url.path.startswith("/history/"):
            prompt_id = url.path[len("/history/"):]
            polls[prompt_id] = polls.get(prompt_id, 0) + 1
            # The first poll finds it still running, as a real server would.
            if prompt_id in history and polls[prompt_id] > 1:
                return self.answer(200, {prompt_id: history[prompt_id]})
            return self.answer(200, {})
        if url.path == "/view":
            q = parse_qs(url.query)
            name = q.get("filename", [""])[0]
            if q.get("type", [""])[0] != "output" or name not in outputs:
                return self.answer(404, {"error": "no such file"})
            return self.answer(200, outputs[name], "image/png")
        self.answer(404, {"error": "no route"})


def multipart(content_type, body):
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    fields, files = {}, {}
    for part in body.split(b"--" + boundary):
        if b"\r\n\r\n" not in part:
            continue
        head, data = part.split(b"\r\n\r\n", 1)
        data = data[:-2] if data.endswith(b"\r\n") else data
        disposition = [l for l in head.decode().split("\r\n") if l.lower().startswith("content-disposition")][0]
        params = dict(p.strip().split("=", 1) for p in disposition.split(";")[1:])
        name = params["name"].strip('"')
        if "filename" in params:
            files[name] = (params["filename"].strip('"'), data)
        else:
            fields[name] = data.decode()
    return fields, files


server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
print(server.server_address[1], flush=True)
server.serve_forever()
