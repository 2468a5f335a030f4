// workerd: its clock does not move while a request computes, so the driver times each
// batch from outside. GET /setup once, then GET /batch?library=&op=&alg=&n=.
import * as api from 'scopemint';
import * as jose from 'jose';
import { batch, setup } from './body.mjs';

let state;

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/setup') {
      state = await setup(api, jose);
      return new Response('ready');
    }
    const p = url.searchParams;
    await batch(jose, state, p.get('library'), p.get('op'), p.get('alg'), Number(p.get('n')));
    return new Response('done');
  },
};
