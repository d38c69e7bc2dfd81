import { App } from 'cdktf';
import { VethHostStack } from './stack';

const app = new App();
new VethHostStack(app, 'veth-host');
app.synth();
