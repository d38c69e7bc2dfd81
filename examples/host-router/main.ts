import { App } from 'cdktf';
import { HostRouterStack } from './stack';

const app = new App();
new HostRouterStack(app, 'host-router');
app.synth();
