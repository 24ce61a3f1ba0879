// /crash/       tells you which worker you reached.
// /crash/boom   answers, then makes its worker exit with code 3: WAS logs event 5009 and the next
//               request starts a new worker. Three crashes within a minute trip rapid-fail
//               protection (event 5002) and the pool answers 503 until it is started again.
module.exports = (req, res) => {
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  if (req.url.replace(/\/+$/, '').endsWith('/boom')) {
    res.end(`w3wp PID ${process.pid} is crashing now (exit code 3).\n`);
    setTimeout(() => process.exit(3), 50);
    return;
  }
  res.end(`w3wp PID ${process.pid} of ${process.env.APP_POOL_ID} is alive. Visit /crash/boom to crash it.\n`);
};
