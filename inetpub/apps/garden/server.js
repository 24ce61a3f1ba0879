// Answers with the PID of the worker that served the request. WebGardenPool runs up to four
// workers; send concurrent requests (`?delay=500` keeps each busy) and watch the PIDs change.
module.exports = (req, res) => {
  const delay = Math.min(Number(new URL(req.url, 'http://localhost').searchParams.get('delay')) || 0, 10_000);
  setTimeout(() => {
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end(`served by w3wp PID ${process.pid} of application pool ${process.env.APP_POOL_ID}\n`);
  }, delay);
};
