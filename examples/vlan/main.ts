import { App } from 'cdktf';
import { VlanStack } from './stack';

const app = new App();
new VlanStack(app, 'vlan');
app.synth();
