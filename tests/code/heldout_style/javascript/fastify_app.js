// handlers: handler
// Fastify on Lambda through @fastify/aws-lambda.
const fastify = require("fastify")();
const awsLambdaFastify = require("@fastify/aws-lambda");
const fs = require("fs");
const { execFile, exec } = require("child_process");

fastify.get("/files/:name", async (request, reply) => {
  return fs.readFileSync(`/srv/files/${request.params.name}`); // expect: FG-INJ-015
});

fastify.post("/convert", (request, reply) => {
  exec(`convert ${request.body.input} /tmp/out.png`, () => reply.send("ok")); // expect: FG-INJ-011
  execFile("convert", [request.body.input, "/tmp/out.png"], () => reply.send("ok")); // ok: FG-INJ-011
});

module.exports.handler = awsLambdaFastify(fastify);
