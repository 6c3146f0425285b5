// agentwire is ESM-only. A CommonJS module loads it with import(), which works in any
// CommonJS file on Node 20 (require() of an ES module needs Node 22.12 or later).
async function main() {
  const { createGateway, createDemoAgent, builtinTools } = await import('agentwire');
  const gateway = createGateway({
    auth: { jwt: { secret: 'change-me-to-a-secret-of-32-characters-or-more' } },
    agents: [createDemoAgent()],
    tools: builtinTools(),
  });
  const { port } = await gateway.listen(0);
  console.log(`listening on ws://127.0.0.1:${port}/ws`);
  await gateway.close();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
